import Foundation
@testable import MatterPKI
import Testing
import TestSupport

/// The fast reader may only ever say what the swift-asn1 path says: whatever it accepts, that path accepts with
/// equal fields; whatever that path refuses, it refuses (and hands over, so the refusal and its message are that
/// path's). Checked on the SDK's vectors, every mutated chain of the differential tests, and those certificates
/// with each byte altered three ways.
@Suite struct FastCertificateReaderTests {
    /// nil when the fast reader declines; otherwise whether both readers agree field by field.
    static func agree(_ der: [UInt8]) -> Bool? {
        guard let fast = FastCertificateReader.parse(der) else { return nil }
        guard let slow = try? ParsedCertificate(swiftASN1DER: der) else { return false }
        return fast.der == slow.der && fast.tbsBytes == slow.tbsBytes && fast.version == slow.version
            && fast.serialNumber == slow.serialNumber && fast.tbsSignatureAlgorithm == slow.tbsSignatureAlgorithm
            && fast.issuer == slow.issuer && fast.issuer.rdns == slow.issuer.rdns
            && fast.subject == slow.subject && fast.subject.rdns == slow.subject.rdns
            && fast.notBefore == slow.notBefore && fast.notAfter == slow.notAfter && fast.publicKey == slow.publicKey
            && fast.publicKey.p256?.x963Representation == slow.publicKey.p256?.x963Representation
            && fast.extensions == slow.extensions && fast.signatureAlgorithm == slow.signatureAlgorithm && fast.signature == slow.signature
    }

    static func corpus() throws -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        for m in ChainMutations.all() {
            var chain = ForgedChain(ForgedChain.Options())
            m.apply(&chain)
            let r = chain.render()
            out += [("\(m.name) PAA", r.paa), ("\(m.name) PAI", r.pai), ("\(m.name) DAC", r.dac)]
        }
        if SharedVectors.available {
            for name in SharedVectors.verdicts.keys.sorted() {
                guard let v = try? SharedVectors.vector(name) else { continue }
                for (what, hex) in [("DAC", v.dac_cert), ("PAI", v.pai_cert)] { if let der = [UInt8](hex: hex) { out.append(("\(name) \(what)", der)) } }
            }
            let paas = SharedVectors.root.appendingPathComponent("credentials/development/paa-root-certs")
            for file in try FileManager.default.contentsOfDirectory(atPath: paas.path).sorted() where file.hasSuffix(".der") || file.hasSuffix(".pem") {
                let bytes = [UInt8](try Data(contentsOf: paas.appendingPathComponent(file)))
                if let der = try? CertificateFile.derBytes(bytes, name: file, label: "CERTIFICATE") { out.append((file, der)) }
            }
        }
        return out
    }

    @Test func bothReadersAgreeOnEveryCertificateTheTestsHave() throws {
        let corpus = try Self.corpus()
        var fastRead = 0
        for (name, der) in corpus {
            let verdict = Self.agree(der)
            #expect(verdict != false, "\(name): the fast reader and swift-asn1 disagree")
            if verdict == true { fastRead += 1 }
        }
        // The fast path is the one used: every well-formed chain of the catalogue is read by it.
        var valid = ForgedChain(ForgedChain.Options())
        ChainMutations.all()[0].apply(&valid)
        let r = valid.render()
        for der in [r.paa, r.pai, r.dac] { #expect(Self.agree(der) == true) }
        #expect(fastRead * 10 >= corpus.count * 8, "the fast reader read \(fastRead) of \(corpus.count) certificates")
    }

    @Test func everyAlteredByteIsReadAlikeOrHandedOver() throws {
        var chain = ForgedChain(ForgedChain.Options())
        ChainMutations.all()[0].apply(&chain)
        let r = chain.render()
        var samples = [r.paa, r.pai, r.dac]
        if SharedVectors.available, let v = try? SharedVectors.vector("struct_dac_sig_algo_ecdsa_with_sha256"), let dac = [UInt8](hex: v.dac_cert) {
            samples.append(dac)
        }
        var declined = 0, agreed = 0
        for der in samples {
            for i in der.indices {
                for flip: UInt8 in [0x01, 0x80, 0xFF] {
                    var bad = der
                    bad[i] ^= flip
                    switch Self.agree(bad) {
                    case nil: declined += 1
                    case true?: agreed += 1
                    case false?: Issue.record("byte \(i) ^ \(flip): the fast reader accepted what swift-asn1 reads otherwise or refuses")
                    }
                }
            }
            // Every truncation is refused by both.
            for n in 0..<der.count { #expect(FastCertificateReader.parse(Array(der[..<n])) == nil) }
        }
        #expect(declined > 0 && agreed > 0, "altered bytes exercised both outcomes (\(declined) declined, \(agreed) read alike)")
    }

    @Test func nonMinimalLengthsAndUnknownOIDsAreLeftToSwiftASN1() throws {
        var chain = ForgedChain(ForgedChain.Options())
        ChainMutations.all()[0].apply(&chain)
        let dac = chain.render().dac
        // The outer SEQUENCE's length re-encoded one octet longer than DER allows: swift-asn1 refuses, and so must we.
        #expect(dac[1] == 0x82)
        let len = Int(dac[2]) << 8 | Int(dac[3])
        let padded = [0x30, 0x83, 0x00, UInt8(len >> 8), UInt8(len & 0xFF)] + dac[4...]
        #expect(FastCertificateReader.parse(padded) == nil)
        #expect(throws: CertificateParseError.self) { try ParsedCertificate(der: padded) }
        // An OID outside the list: declined, then read by swift-asn1 all the same.
        let cn: [UInt8] = [0x06, 0x03, 0x55, 0x04, 0x03]
        let i = try #require(FastCertificateReader.find(cn, in: dac))
        var other = dac
        other[i + 4] = 0x2A   // 2.5.4.42 (givenName), not in the list
        #expect(FastCertificateReader.parse(other) == nil)
        let read = try ParsedCertificate(der: other)
        #expect((read.issuer.rdns + read.subject.rdns).flatMap { $0 }.contains { $0.oid == [2, 5, 4, 42] })
    }
}

extension FastCertificateReader {
    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? { TBSTemplate.find(needle, in: hay) }
}

import Crypto
import Foundation
import MatterPKI
import Signing
import Testing
import TestSupport
import X509Builder

@Suite struct CertificateBuilderTests {
    struct Chain { let paa, pai, dac: IssuedCertificate; let keys: (paa: CountingSigner, pai: CountingSigner, dac: SoftwareSigner) }

    static func spec(_ type: CertificateType, _ key: P256.Signing.PublicKey, vid: UInt16? = 0xFFF1, pid: UInt16? = 0x8000,
                     encoding: CertificateSpec.VIDPIDEncoding = .attributes, notBefore: Date = Date(timeIntervalSince1970: 1_750_000_000)) -> CertificateSpec {
        CertificateSpec(type: type, commonName: "Test \(type)", vid: vid.map(VendorID.init), pid: pid.map(ProductID.init),
                        vidPidEncoding: encoding, publicKey: key, notBefore: notBefore, expiry: .noWellDefinedExpiration)
    }

    static func chain(paaVID: Bool = false, paiPID: Bool = false, encoding: CertificateSpec.VIDPIDEncoding = .attributes) throws -> Chain {
        let keys = (paa: CountingSigner(), pai: CountingSigner(), dac: SoftwareSigner())
        let paa = try CertificateBuilder.selfSigned(spec(.paa, keys.paa.publicKey, vid: paaVID ? 0xFFF1 : nil, pid: nil, encoding: encoding), signer: keys.paa)
        let pai = try CertificateBuilder.issue(spec(.pai, keys.pai.publicKey, pid: paiPID ? 0x8000 : nil, encoding: encoding),
                                               by: IssuerContext(certificate: paa.certificate, type: .paa, signer: keys.paa))
        let dac = try CertificateBuilder.issue(spec(.dac, keys.dac.publicKey, encoding: encoding),
                                               by: IssuerContext(certificate: pai.certificate, type: .pai, signer: keys.pai))
        return Chain(paa: paa, pai: pai, dac: dac, keys: keys)
    }

    @Test(arguments: [(false, false, CertificateSpec.VIDPIDEncoding.attributes), (true, true, .attributes), (false, false, .commonNameFallback), (true, false, .commonNameFallback)])
    func issuedChainsAreCompliant(paaVID: Bool, paiPID: Bool, encoding: CertificateSpec.VIDPIDEncoding) throws {
        let c = try Self.chain(paaVID: paaVID, paiPID: paiPID, encoding: encoding)
        let v = MatterProfile.lintChain(paa: c.paa.certificate, pai: c.pai.certificate, dac: c.dac.certificate, policy: .issuance)
        #expect(v.isEmpty, "\(v)")
        #expect(c.keys.paa.calls == 2 && c.keys.pai.calls == 1, "one signature per certificate")
        let ids = try c.dac.certificate.matterVIDPID()
        #expect(ids.vid == VendorID(0xFFF1) && ids.pid == ProductID(0x8000))
        #expect(ids.source == (encoding == .attributes ? .attributes : .commonNameFallback))
    }

    @Test func builderFollowsTheReferenceProfile() throws {
        let c = try Self.chain(paaVID: true)
        for (cert, issuer) in [(c.paa.certificate, c.paa.certificate), (c.pai.certificate, c.paa.certificate), (c.dac.certificate, c.pai.certificate)] {
            // SKID = SHA-1 of the subjectPublicKey bits; AKID = issuer SKID; issuer byte-for-byte.
            #expect(cert.subjectKeyIdentifier == Array(Insecure.SHA1.hash(data: cert.publicKey.keyBytes)))
            #expect(cert.authorityKeyIdentifier == issuer.subjectKeyIdentifier)
            #expect(cert.issuer.der == issuer.subject.der)
            // Serial: 16 random octets, first 0x01–0x7F.
            #expect(cert.serialNumber.count == 16 && (0x01...0x7F).contains(cert.serialNumber[0]))
            #expect(cert.notAfter == CertificateTime.noWellDefinedExpiration)
            #expect(cert.notAfter.encoding == .generalizedTime)
            #expect(cert.notBefore.encoding == .utcTime)
        }
        // DN order: CN, VID, PID (UTF8String).
        let attrs = c.dac.certificate.subject.attributes
        #expect(attrs.map(\.oid) == [OID.commonName, OID.matterVID, OID.matterPID])
        #expect(attrs.allSatisfy { $0.tag == .utf8String })
        #expect(attrs[1].stringValue == "FFF1" && attrs[2].stringValue == "8000")
        // Extension order and criticality as chip-cert: BC, KU critical; SKID, AKID not.
        #expect(c.dac.certificate.extensions.map(\.oid) == [OID.basicConstraints, OID.keyUsage, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier])
        #expect(c.dac.certificate.extensions.map(\.critical) == [true, true, false, false])
        #expect(c.dac.certificate.extensions[0].value == [0x30, 0x00])
        #expect(c.dac.certificate.extensions[1].value == [0x03, 0x02, 0x07, 0x80])
        #expect(c.pai.certificate.extensions[0].value == [0x30, 0x06, 0x01, 0x01, 0xFF, 0x02, 0x01, 0x00])
        #expect(c.pai.certificate.extensions[1].value == [0x03, 0x02, 0x01, 0x06])
    }

    @Test func serialsAreUnique() throws {
        var seen = Set<[UInt8]>()
        for _ in 0..<2000 { seen.insert(SerialNumber.random(length: 8)) }
        #expect(seen.count == 2000)
        for n in SerialNumber.allowedLengths {
            let s = SerialNumber.random(length: n)
            #expect(s.count == n && (0x01...0x7F).contains(s[0]))
        }
    }

    @Test func crlDistributionPointIsTheSDKShape() throws {
        let paa = CountingSigner()
        var s = Self.spec(.paa, paa.publicKey, vid: nil, pid: nil)
        s.crlDistributionPointURI = "http://crl.example.com/paa.crl"
        let cert = try CertificateBuilder.selfSigned(s, signer: paa).certificate
        let cdp = try #require(cert.extensions(OID.crlDistributionPoints).first)
        #expect(!cdp.critical)
        #expect(try CRLDistributionPointsValue(cdp.value).matterURI == "http://crl.example.com/paa.crl")
    }

    // MARK: refusals: each before the signer is called

    struct Refusal: Sendable, CustomStringConvertible {
        let description: String
        let rule: MatterRule?
        let build: @Sendable (CountingSigner, CountingSigner, Chain) throws -> Void
    }

    /// Each closure gets the chain's PAA and PAI signers (counting) and the chain itself.
    static let refusals: [Refusal] = [
        Refusal(description: "DAC without PID", rule: .dacMustHavePID) { _, pai, c in
            _ = try CertificateBuilder.issue(spec(.dac, P256.Signing.PrivateKey().publicKey, pid: nil), by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: pai))
        },
        Refusal(description: "DAC without VID", rule: .dacMustHaveVID) { _, pai, c in
            _ = try CertificateBuilder.issue(spec(.dac, P256.Signing.PrivateKey().publicKey, vid: nil), by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: pai))
        },
        Refusal(description: "DAC VID differs from the PAI's", rule: .dacVIDMustMatchPAI) { _, pai, c in
            _ = try CertificateBuilder.issue(spec(.dac, P256.Signing.PrivateKey().publicKey, vid: 0xFFF2), by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: pai))
        },
        Refusal(description: "DAC PID differs from the PAI's", rule: .dacPIDMustMatchPAI) { _, pai, c in
            _ = try CertificateBuilder.issue(spec(.dac, P256.Signing.PrivateKey().publicKey, pid: 0x8001), by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: pai))
        },
        Refusal(description: "DAC issued before the PAI is valid", rule: .notBeforeMustBeWithinIssuerValidity) { _, pai, c in
            _ = try CertificateBuilder.issue(spec(.dac, P256.Signing.PrivateKey().publicKey, notBefore: Date(timeIntervalSince1970: 1_700_000_000)),
                                             by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: pai))
        },
        Refusal(description: "PAI without VID", rule: .paiMustHaveVID) { paa, _, c in
            _ = try CertificateBuilder.issue(spec(.pai, P256.Signing.PrivateKey().publicKey, vid: nil, pid: nil), by: IssuerContext(certificate: c.paa.certificate, type: .paa, signer: paa))
        },
        Refusal(description: "PAI VID differs from a VID-scoped PAA", rule: .paiVIDMustMatchPAA) { paa, _, c in
            _ = try CertificateBuilder.issue(spec(.pai, P256.Signing.PrivateKey().publicKey, vid: 0xFFF2, pid: nil), by: IssuerContext(certificate: c.paa.certificate, type: .paa, signer: paa))
        },
        Refusal(description: "PAA with a PID", rule: .paaMustNotHavePID) { paa, _, _ in
            _ = try CertificateBuilder.selfSigned(spec(.paa, paa.publicKey, vid: nil, pid: 0x8000), signer: paa)
        },
        Refusal(description: "CN with a malformed Mvid: value", rule: .vidPidEncodingMustBeValid) { _, pai, c in
            var s = spec(.dac, P256.Signing.PrivateKey().publicKey, encoding: .attributes)
            s.commonName = "Device Mvid:zz"
            _ = try CertificateBuilder.issue(s, by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: pai))
        },
        Refusal(description: "CN fallback beyond the 64 bytes the SDK reads", rule: .dacMustHaveVID) { _, pai, c in
            var s = spec(.dac, P256.Signing.PrivateKey().publicKey, encoding: .commonNameFallback)
            s.commonName = String(repeating: "x", count: 60)
            _ = try CertificateBuilder.issue(s, by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: pai))
        },
        Refusal(description: "serial of 4 octets", rule: nil) { _, pai, c in
            var s = spec(.dac, P256.Signing.PrivateKey().publicKey)
            s.serialNumberLength = 4
            _ = try CertificateBuilder.issue(s, by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: pai))
        },
        Refusal(description: "ldap CRL distribution point", rule: nil) { _, pai, c in
            var s = spec(.dac, P256.Signing.PrivateKey().publicKey)
            s.crlDistributionPointURI = "ldap://crl.example.com"
            _ = try CertificateBuilder.issue(s, by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: pai))
        },
        Refusal(description: "signer is not the issuer's key", rule: nil) { _, _, c in
            _ = try CertificateBuilder.issue(spec(.dac, P256.Signing.PrivateKey().publicKey), by: IssuerContext(certificate: c.pai.certificate, type: .pai, signer: CountingSigner()))
        },
        Refusal(description: "self-signed by another key", rule: nil) { paa, _, _ in
            _ = try CertificateBuilder.selfSigned(spec(.paa, P256.Signing.PrivateKey().publicKey, vid: nil, pid: nil), signer: paa)
        },
    ]

    @Test(arguments: refusals)
    func builderRefusesBeforeSigning(_ r: Refusal) throws {
        let c = try Self.chain(paaVID: true, paiPID: true)
        let paaIssuer = c.keys.paa, paiIssuer = c.keys.pai
        let before = (paaIssuer.calls, paiIssuer.calls)
        do {
            try r.build(paaIssuer, paiIssuer, c)
            Issue.record("\(r) was issued")
        } catch let e as BuilderError {
            if let rule = r.rule { #expect(e.violatedRules.contains(rule), "\(r): \(e)") }
            #expect(!e.description.isEmpty)
        }
        #expect(paaIssuer.calls == before.0 && paiIssuer.calls == before.1, "\(r): the signer was called")
    }
}

import Crypto
import Foundation
import MatterPKI
import Signing
import Testing
import TestSupport
@testable import X509Builder

/// Every CRL rule refuses a TBSCertList that breaks it before the key is used; a compliant one is signed once and
/// reads back. The reader agrees with openssl on the SDK's own sample CRLs.
@Suite struct CRLBuilderTests {
    static let issuer: [UInt8] = [0x30, 0x12, 0x31, 0x10, 0x30, 0x0E, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x07] + Array("CRL PAI".utf8)
    static let otherIssuer: [UInt8] = [0x30, 0x12, 0x31, 0x10, 0x30, 0x0E, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x07] + Array("Not PAI".utf8)
    static let skid = [UInt8](repeating: 0x11, count: 20)

    /// A TBSCertList from parts, so each part can be broken on its own.
    struct Parts {
        var version: [UInt8]? = [0x02, 0x01, 0x01]
        var signature: [UInt8] = [0x30, 0x0A, 0x06, 0x08] + OIDBytes.ecdsaWithSHA256
        var issuer = CRLBuilderTests.issuer
        var nextUpdate: Int64? = 1_800_000_000
        var entries: [[UInt8]]? = [Parts.entry([0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0])]
        var akid: [UInt8]? = CRLBuilderTests.skid
        var akidCritical = false
        var number: [UInt8]? = [0x02]
        var extra: [[UInt8]] = []

        static func entry(_ serial: [UInt8], extensions: [[UInt8]] = []) -> [UInt8] {
            var e: [UInt8] = []
            DERWrite.integer(serial, to: &e)
            DERWrite.time(1_790_000_000, to: &e)
            if !extensions.isEmpty { DERWrite.append(0x30, extensions.flatMap { $0 }, to: &e) }
            var out: [UInt8] = []
            DERWrite.append(0x30, e, to: &out)
            return out
        }
        static func certificateIssuer(_ name: [UInt8]) -> [UInt8] {
            var dn: [UInt8] = [], names: [UInt8] = []
            DERWrite.append(0xA4, name, to: &dn)
            DERWrite.append(0x30, dn, to: &names)
            return DERWrite.extensionBytes(OIDBytes.certificateIssuer, critical: true, value: names)
        }
        static func idp(_ uri: String, critical: Bool = true) -> [UInt8] {
            var u: [UInt8] = [], full: [UInt8] = [], dpn: [UInt8] = [], seq: [UInt8] = []
            DERWrite.append(0x86, Array(uri.utf8), to: &u)
            DERWrite.append(0xA0, u, to: &full)
            DERWrite.append(0xA0, full, to: &dpn)
            DERWrite.append(0x30, dpn, to: &seq)
            return DERWrite.extensionBytes(OIDBytes.issuingDistributionPoint, critical: critical, value: seq)
        }

        var der: [UInt8] {
            var b = (version ?? []) + signature + issuer
            DERWrite.time(1_780_000_000, to: &b)
            if let nextUpdate { DERWrite.time(nextUpdate, to: &b) }
            if let entries { DERWrite.append(0x30, entries.flatMap { $0 }, to: &b) }
            var exts: [UInt8] = []
            if let akid {
                var k: [UInt8] = [], v: [UInt8] = []
                DERWrite.append(0x80, akid, to: &k)
                DERWrite.append(0x30, k, to: &v)
                exts += DERWrite.extensionBytes(OIDBytes.authorityKeyIdentifier, critical: akidCritical, value: v)
            }
            if let number {
                var n: [UInt8] = []
                DERWrite.integer(number, to: &n)
                exts += DERWrite.extensionBytes(OIDBytes.crlNumber, critical: false, value: n)
            }
            exts += extra.flatMap { $0 }
            var seq: [UInt8] = []
            DERWrite.append(0x30, exts, to: &seq)
            DERWrite.append(0xA0, seq, to: &b)
            var out: [UInt8] = []
            DERWrite.append(0x30, b, to: &out)
            return out
        }
    }

    static let context = CRLLintContext(signerSubject: issuer, signerSKID: skid, previousNumber: [0x01])
    static let url = "https://crl.example.invalid/crl/X-0.crl"

    /// For each rule, the one change that breaks it, and the lint context it is judged in.
    static let breaks: [(CRLRule, @Sendable (inout Parts, inout CRLLintContext) -> Void)] = [
        (.crlVersionMustBeV2, { p, _ in p.version = nil }),
        (.crlSignatureAlgorithmMustBeECDSAWithSHA256, { p, _ in p.signature = [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03] }),
        (.crlIssuerMustEqualSignerSubject, { p, _ in p.issuer = CRLBuilderTests.otherIssuer }),
        (.crlAuthorityKeyIDMustEqualSignerSKID, { p, _ in p.akid = [UInt8](repeating: 0x22, count: 20) }),
        (.crlNumberRequired, { p, _ in p.number = nil }),
        (.crlNumberMustIncrease, { p, _ in p.number = [0x01] }),
        (.crlNextUpdateMustFollowThisUpdate, { p, _ in p.nextUpdate = nil }),
        (.crlMustNotBeDelta, { p, _ in p.extra = [DERWrite.extensionBytes(OIDBytes.deltaCRLIndicator, critical: false, value: [0x02, 0x01, 0x01])] }),
        (.crlExtensionMustBeKnown, { p, _ in p.extra = [DERWrite.extensionBytes([0x55, 0x1D, 0x63], critical: false, value: [0x05, 0x00])] }),
        (.crlNoCriticalExtensionUnlessPartitioned, { p, _ in p.akidCritical = true }),
        (.crlIDPOnlyWhenPartitioned, { p, _ in p.extra = [Parts.idp(CRLBuilderTests.url, critical: false)] }),
        (.crlIDPMustNameExactlyThePublishedURL, { p, c in p.extra = [Parts.idp(CRLBuilderTests.url + "x")]; c.partitioned = true; c.publishedURL = CRLBuilderTests.url }),
        (.crlEntrySerialMustBePositiveAtMost20Octets, { p, _ in p.entries = [Parts.entry([UInt8](repeating: 0x11, count: 21))] }),
        (.crlEntrySerialMustBeUnique, { p, _ in p.entries = [Parts.entry([0x42, 0x42]), Parts.entry([0x42, 0x42])] }),
        (.crlIndirectEntriesMustNameTheirIssuer, { _, c in c.indirectIssuer = CRLBuilderTests.otherIssuer }),
        (.crlDirectEntriesMustNotNameAnIssuer, { p, _ in p.entries = [Parts.entry([0x42], extensions: [Parts.certificateIssuer(CRLBuilderTests.otherIssuer)])] }),
        (.crlEntryExtensionMustNotBeCritical, { p, _ in p.entries = [Parts.entry([0x42], extensions: [DERWrite.extensionBytes(OIDBytes.reasonCode, critical: true, value: [0x0A, 0x01, 0x01])])] }),
        (.crlEmptyRevokedListMustBeAbsent, { p, _ in p.entries = [] }),
    ]

    @Test func everyRuleHasABreak() {
        #expect(Set(Self.breaks.map(\.0)) == Set(CRLRule.allCases))
    }

    /// The reader finds a repeated serial whether the list is sorted (compared with its neighbour) or not (a set).
    @Test func duplicatesAreFoundInSortedAndUnsortedLists() throws {
        var p = Parts()
        p.entries = [Parts.entry([0x41]), Parts.entry([0x50]), Parts.entry([0x42]), Parts.entry([0x50])]
        #expect(try CRLFacts(der: p.der).duplicateSerials == 1)
        p.entries = [Parts.entry([0x41]), Parts.entry([0x42]), Parts.entry([0x50])]
        #expect(try CRLFacts(der: p.der).duplicateSerials == 0)
        p.entries = [Parts.entry([0x50]), Parts.entry([0x42]), Parts.entry([0x41])]
        #expect(try CRLFacts(der: p.der).duplicateSerials == 0)
    }

    @Test func theCompliantPartsPassAndAreSignedOnce() throws {
        let tbs = Parts().der
        #expect(MatterProfile.lintCRL(try CRLFacts(der: tbs), Self.context).isEmpty)
        let signer = CountingSigner()
        _ = try signer.signChecked(tbs) { bytes in
            let v = MatterProfile.lintCRL(try CRLFacts(der: bytes), Self.context)
            if !v.isEmpty { throw CRLBuilderError.violations(v) }
        }
        #expect(signer.calls == 1)
    }

    @Test(arguments: CRLRule.allCases)
    func eachBreakIsRefusedUnderItsRuleBeforeSigning(_ rule: CRLRule) throws {
        var parts = Parts(), context = Self.context
        Self.breaks.first { $0.0 == rule }!.1(&parts, &context)
        let tbs = parts.der
        let violations = MatterProfile.lintCRL(try CRLFacts(der: tbs), context)
        #expect(violations.map(\.rule) == [rule], "\(violations)")
        #expect(violations.allSatisfy { !$0.detail.isEmpty })
        let signer = CountingSigner()
        #expect(throws: CRLBuilderError.self) {
            _ = try signer.signChecked(tbs) { bytes in
                let v = MatterProfile.lintCRL(try CRLFacts(der: bytes), context)
                if !v.isEmpty { throw CRLBuilderError.violations(v) }
            }
        }
        #expect(signer.calls == 0, "the key must not be used for a refused CRL")
    }

    @Test func theBuilderSignsWhatReadsBackAndRefusesAContextItBreaks() throws {
        let signer = CountingSigner()
        let skid = CertificateBuilder.keyIdentifier(signer.publicKey)
        let entries = (1...1000).map { CRLEntry(serial: [0x40, UInt8($0 >> 8), UInt8($0 & 0xFF)], revokedAt: 1_780_000_000, reason: $0 % 3) }
        let spec = CRLSpec(number: [0x07], thisUpdate: 1_780_000_000, nextUpdate: 1_790_000_000)
        let ctx = CRLLintContext(signerSubject: Self.issuer, signerSKID: skid, previousNumber: [0x06])
        let crl = try CRLBuilder.build(spec, entries: entries, signerSubject: Self.issuer, signerSKID: skid, signer: signer, lint: ctx)
        let back = try CRLFacts(der: crl.der, whole: true, keepSerials: true)
        #expect(back.entryCount == 1000 && back.serials.first.map(Array.init) == [0x40, 0x00, 0x01] && back.crlNumber == [0x07])
        #expect(signer.calls == 1)
        // The same CRL where the last number was already 7: refused, no signature.
        var stale = ctx; stale.previousNumber = [0x07]
        #expect(throws: CRLBuilderError.self) { _ = try CRLBuilder.build(spec, entries: entries, signerSubject: Self.issuer, signerSKID: skid, signer: signer, lint: stale) }
        #expect(signer.calls == 1)
    }

    /// The SDK's sample CRLs (delegated, PAA- and PAI-signed): our reader lists the serials openssl lists.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: SharedVectors.shared.appendingPathComponent("tools/sdk-revocation/test").path), "SKIPPED: ../shared/tools/sdk-revocation is absent"))
    func theReaderAgreesWithOpenSSLOnTheSDKSamples() throws {
        let dir = SharedVectors.shared.appendingPathComponent("tools/sdk-revocation/test/revoked-attestation-certificates")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix("-CRL.pem") }
        #expect(files.count >= 3)
        for f in files {
            let text = try CLI.exec("openssl", ["crl", "-in", dir.appendingPathComponent(f).path, "-noout", "-text"]).stdout
            let expected = text.components(separatedBy: "\n").filter { $0.contains("Serial Number:") }.map { $0.components(separatedBy: ":").last!.trimmingCharacters(in: .whitespaces) }
            let out = try CLI.tempDirectory("crl-der").appendingPathComponent("crl.der")
            #expect(try CLI.exec("openssl", ["crl", "-in", dir.appendingPathComponent(f).path, "-outform", "DER", "-out", out.path]).status == 0)
            let der = try Data(contentsOf: out)
            let facts = try CRLFacts(der: Array(der), whole: true, keepSerials: true)
            #expect(facts.serials.map { RevocationSetEntry.serialHex($0) } == expected, "\(f)")
            #expect(facts.authorityKeyID != nil && facts.crlNumber != nil, "\(f)")
        }
    }
}

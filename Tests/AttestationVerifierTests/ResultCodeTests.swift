import AttestationVerifier
import Crypto
import Foundation
import MatterPKI
import Testing
import TestSupport

/// One test per result code that can be provoked, each asserting the exact code (and that the reason says why).
@Suite struct ResultCodeTests {
    @Test func validAttestationSucceeds() throws {
        let f = try AttestationFixture()
        let v = try f.verify()
        #expect(v.result == .success, "\(v)")
        #expect(v.reason.contains("Fixture DAC") && v.reason.contains("ZIG20142ZB330003-24"))
    }

    @Test func wrongNonceIs502() throws {
        let f = try AttestationFixture()
        var i = try f.input()
        i.attestationNonce[0] ^= 1
        let v = try f.verify(i)
        #expect(v.result == .attestationNonceMismatch && v.reason.contains("nonce"))
    }

    @Test func tamperedSignatureIs500AndWrongLengthIs503() throws {
        let f = try AttestationFixture()
        var i = try f.input()
        i.attestationSignature[10] ^= 0xFF
        #expect(try f.verify(i).result == .attestationSignatureInvalid)
        i.attestationSignature = Array(i.attestationSignature.prefix(63))
        #expect(try f.verify(i).result == .attestationSignatureInvalid, "1–63 bytes is 500 in the SDK")
        i.attestationSignature = try f.input().attestationSignature + [0]
        #expect(try f.verify(i).result == .attestationSignatureInvalidFormat)
        var other = try f.input()
        other.attestationChallenge[0] ^= 1
        #expect(try f.verify(other).result == .attestationSignatureInvalid, "the challenge is signed too")
    }

    @Test func cdForAnotherVendorIs604AndProductOutsideIs605() throws {
        var f = try AttestationFixture()
        f.cd.vendorID = 0xFFF2
        #expect(try f.verify().result == .certificationDeclarationInvalidVendorId)
        var g = try AttestationFixture()
        g.pid = 0x8001   // Basic Information PID not in the CD
        let v = try g.verify()
        #expect(v.result == .certificationDeclarationInvalidProductId && v.reason.contains("0x8001"), "\(v)")
        var h = try AttestationFixture()
        h.cd.productIDs = [0x8005]
        h.pid = 0x8005   // Basic Information agrees with the CD but the DAC's PID does not
        #expect(try h.verify().result == .certificationDeclarationInvalidProductId)
    }

    @Test func dacOriginFieldsAreChecked() throws {
        var f = try AttestationFixture()
        f.cd.dacOriginVendorID = 0xFFF1; f.cd.dacOriginProductID = 0x8000
        #expect(try f.verify().result == .success)
        f.cd.dacOriginProductID = 0x8009
        #expect(try f.verify().result == .certificationDeclarationInvalidProductId)
        f.cd.dacOriginVendorID = 0xFFF3; f.cd.dacOriginProductID = 0x8000
        #expect(try f.verify().result == .certificationDeclarationInvalidVendorId)
    }

    @Test func paaNotInTheStoreIs101() throws {
        let f = try AttestationFixture()
        var t = f.trust
        t.paas = PAATrustStore(certificates: [])
        let v = try f.verify(trust: t)
        #expect(v.result == .paaNotFound && v.reason.contains(f.paa.certificate.subjectKeyIdentifier!.hexString))
    }

    @Test func authorizedPAAListWithoutThePAAIs606() throws {
        var f = try AttestationFixture()
        f.cd.authorizedPAAList = [[UInt8](repeating: 7, count: 20)]
        #expect(try f.verify().result == .certificationDeclarationInvalidPAA)
        f.cd.authorizedPAAList = [[UInt8](repeating: 7, count: 20), f.paa.certificate.subjectKeyIdentifier!]
        #expect(try f.verify().result == .success)
        var noList = f.cd
        noList.authorizedPAAList = nil
        let empty = try f.signedCD(noList.encodeUnchecked().withEmptyPAAList())
        #expect(try f.verify(try f.input(elements: try f.elements(cd: empty))).result == .certificationDeclarationInvalidPAA, "an empty list authorizes nobody")
    }

    @Test func revokedDACIs302PAIIs202BothIs208() throws {
        let f = try AttestationFixture()
        let dacEntry = AttestationFixture.revocationEntry(revoking: f.dac.certificate, issuer: f.pai.certificate)
        let paiEntry = AttestationFixture.revocationEntry(revoking: f.pai.certificate, issuer: f.paa.certificate)
        #expect(try f.verify(revocation: RevocationSet(entries: [dacEntry])).result == .dacRevoked)
        #expect(try f.verify(revocation: RevocationSet(entries: [paiEntry])).result == .paiRevoked)
        #expect(try f.verify(revocation: RevocationSet(entries: [dacEntry, paiEntry])).result == .paiAndDacRevoked)
        #expect(try f.verify(revocation: RevocationSet(entries: [])).result == .success)
        // A signer that is not the issuer: the SDK then reports "not revoked".
        var forged = dacEntry
        forged.crl_signer_cert = Data(f.paa.der).base64EncodedString()
        #expect(try f.verify(revocation: RevocationSet(entries: [forged])).result == .success)
    }

    @Test func expiredDACIs300() throws {
        var o = AttestationFixture.Options()
        o.dacNotBefore = Date(timeIntervalSinceNow: -10 * 86400).rounded
        o.dacExpiry = .date(Date(timeIntervalSinceNow: -86400).rounded)
        let f = try AttestationFixture(o)
        #expect(try f.verify().result == .dacExpired)
    }

    @Test func vendorAndProductMismatchesInTheChain() throws {
        // PAI with a PID the DAC does not have: 306. Made with a valid PAI (PID 8000) and a DAC forged for 8001.
        var o = AttestationFixture.Options()
        o.paiPID = 0x8000
        let f = try AttestationFixture(o)
        #expect(try f.verify().result == .success)
        var forged = ForgedChain()
        ChainMutations.all().first { $0.name == "dac.vid.other" }!.apply(&forged)
        let der = forged.render()
        var i = try f.input()
        i.pai = der.pai; i.dac = der.dac
        #expect(try f.verify(i).result == .dacVendorIdMismatch)
        var pidChain = ForgedChain({ var x = ForgedChain.Options(); x.paiHasPID = true; return x }())
        ChainMutations.all().first { $0.name == "dac.pid.other" }!.apply(&pidChain)
        i.pai = pidChain.render().pai; i.dac = pidChain.render().dac
        #expect(try f.verify(i).result == .dacProductIdMismatch)
    }

    @Test func paaWithAnotherVIDIs205() throws {
        var o = AttestationFixture.Options()
        o.paaVID = 0xFFF1
        let f = try AttestationFixture(o)
        #expect(try f.verify().result == .success)
        // Re-sign the same PAI subject under a VID-scoped PAA of another vendor (forged: the builder refuses it).
        var c = ForgedChain({ var x = ForgedChain.Options(); x.paaHasVID = true; return x }())
        ChainMutations.all().first { $0.name == "paa.vid.other-than-pai" }!.apply(&c)
        let der = c.render()
        let g = try AttestationFixture()
        var i = try g.input()
        i.pai = der.pai; i.dac = der.dac
        i.attestationSignature = Array(try c.dacKey.signature(for: SHA256.hash(data: i.attestationElements + i.attestationChallenge)).rawRepresentation)
        var t = g.trust
        t.paas = PAATrustStore(certificates: [try ParsedCertificate(der: der.paa)])
        #expect(AttestationVerifier(trust: t).verify(i).result == .paiVendorIdMismatch)
    }

    @Test func missingPAIIs207AndEmptyArgumentsAre701() throws {
        let f = try AttestationFixture()
        var i = try f.input()
        i.pai = []
        #expect(try f.verify(i).result == .paiMissing)
        var j = try f.input()
        j.attestationChallenge = []
        let v = try f.verify(j)
        #expect(v.result == .invalidArgument && v.reason.contains("challenge"))
        var k = try f.input()
        k.attestationElements = [UInt8](repeating: 0x15, count: 901)
        #expect(try f.verify(k).result == .invalidArgument)
    }

    @Test func malformedElementsAre501() throws {
        let f = try AttestationFixture()
        let bad = TLVWriter.encode(TLVElement(.anonymous, .structure([TLVElement(.context(1), .bytes(try f.signedCD())), TLVElement(.context(3), .unsigned(0))])))
        let v = try f.verify(try f.input(elements: bad))
        #expect(v.result == .attestationElementsMalformed && v.reason.contains("attestation_nonce"), "\(v)")
    }

    @Test func cdEnvelopeAndContentCodes() throws {
        let f = try AttestationFixture()
        // 600: the SignerInfo version is not 3.
        var cms = try f.signedCD()
        let sid = cms.firstRange(of: [0x80, 0x14] + f.cdKeyID)!.lowerBound
        let siVersion = sid - 3   // INTEGER 3 just before sid [0]
        #expect(cms[siVersion] == 0x02 && cms[siVersion + 2] == 3)
        cms[siVersion + 2] = 2
        #expect(try f.verify(try f.input(elements: try f.elements(cd: cms))).result == .certificationDeclarationNoKeyId)
        // 601: a key nobody trusts.
        let unknown = try f.signedCD(keyID: [UInt8](repeating: 0xAB, count: 20))
        #expect(try f.verify(try f.input(elements: try f.elements(cd: unknown))).result == .certificationDeclarationNoCertificateFound)
        // 602: content changed after signing.
        var tampered = try f.signedCD()
        let at = tampered.firstRange(of: Array("ZIG20142".utf8))!.lowerBound
        tampered[at] = UInt8(ascii: "X")
        #expect(try f.verify(try f.input(elements: try f.elements(cd: tampered))).result == .certificationDeclarationInvalidSignature)
        // 603: properly signed, but certificate_id is 18 characters.
        var shortID = f.cd
        shortID.certificateID = "ZIG20142ZB330003-2"
        let v = try f.verify(try f.input(elements: try f.elements(cd: try f.signedCD(shortID.encodeUnchecked()))))
        #expect(v.result == .certificationDeclarationInvalidFormat && v.reason.contains("certificate_id"))
        // 501 (not a 60x code): format_version 2.
        var fv = f.cd
        fv.formatVersion = 2
        #expect(try f.verify(try f.input(elements: try f.elements(cd: try f.signedCD(fv.encodeUnchecked())))).result == .attestationElementsMalformed)
    }

    @Test func testCDKeyPolicy() throws {
        guard SharedVectors.available else { return }
        let testKey = try SDKTrustFixtures.privateKey(SDKTrustFixtures.testCDKey)
        var f = try AttestationFixture()
        var t = f.trust
        t.cdKeys.add(keyID: CDSigningKeyStore.testKeyID, publicKey: testKey.publicKey, source: "SDK test CD key")
        func verdict(type: UInt8) throws -> AttestationVerificationResult {
            f.cd.certificationType = type
            let cms = try CMSEnvelope.sign(content: f.cd.encodeUnchecked(), keyID: CDSigningKeyStore.testKeyID) { Array(try testKey.signature(for: $0).derRepresentation) }
            return try f.verify(try f.input(elements: try f.elements(cd: cms)), trust: t).result
        }
        #expect(try verdict(type: 0) == .success)
        #expect(try verdict(type: 1) == .success)
        #expect(try verdict(type: 2) == .certificationDeclarationNoCertificateFound, "official CD with the test key: newest SDK rule")
        t.cdKeys.testKeyPolicy = .sdk2025
        #expect(try verdict(type: 2) == .success, "the mid-2025 SDK accepted it")
        t.cdKeys.allowTestKey = false
        #expect(try verdict(type: 0) == .certificationDeclarationNoCertificateFound)
    }

    @Test func chainProblemsAre301AndFormatProblems203Or303() throws {
        let f = try AttestationFixture()
        for (mutation, code) in [("dac.signature.corrupted", AttestationVerificationResult.dacSignatureInvalid),
                                 ("dac.issuer.cn-changed", .dacSignatureInvalid), ("pai.expired-before-dac-issued", .dacSignatureInvalid),
                                 ("pai.bc.critical-flipped", .paiFormatInvalid), ("dac.ku=digitalSignature+keyEncipherment", .dacFormatInvalid),
                                 ("dac.vid.lowercase", .dacFormatInvalid), ("pai.sigalg.ecdsa-with-SHA1", .paiFormatInvalid)] {
            var c = ForgedChain()
            ChainMutations.all().first { $0.name == mutation }!.apply(&c)
            let der = c.render()
            var i = try f.input()
            i.pai = der.pai; i.dac = der.dac
            i.attestationSignature = Array(try c.dacKey.signature(for: SHA256.hash(data: i.attestationElements + i.attestationChallenge)).rawRepresentation)
            var t = f.trust
            t.paas = PAATrustStore(certificates: [try ParsedCertificate(der: der.paa)])
            let v = AttestationVerifier(trust: t).verify(i)
            #expect(v.result == code, "\(mutation): \(v)")
        }
    }

    @Test func cdExpectationsAreAnOptionalPolicy() throws {
        let f = try AttestationFixture()
        var verifier = AttestationVerifier(trust: f.trust)
        verifier.cdExpectations = CDExpectations(deviceTypeID: 0x0302)
        #expect(verifier.verify(try f.input()).result == .success)
        verifier.cdExpectations = CDExpectations(deviceTypeID: 0x0303)
        let v = verifier.verify(try f.input())
        #expect(v.result == .certificationDeclarationInvalidFormat && v.reason.contains("policy: CD device_type_id"))
    }
}

extension Array where Element == UInt8 {
    /// This CD TLV with an empty authorized_paa_list (tag 11) before the end of the structure.
    func withEmptyPAAList() -> [UInt8] { Array(dropLast()) + [0x36, 0x0B, 0x18, 0x18] }
}

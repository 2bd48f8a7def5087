import Crypto
import Foundation
import MatterPKI
import SwiftASN1
import Testing
import TestSupport

/// A PAA, a PAI (VID FFF1, PID 8000) under it, and a CRL-signer delegate under each, forged from DER pieces so that
/// a test can break any one field and re-sign.
enum DCLFixtures {
    struct Issuer: Sendable {
        let name: [UInt8]
        let key: P256.Signing.PrivateKey
        var skid: [UInt8] { ForgedCertificate.skid(key.publicKey) }
    }
    static let cn = OID.commonName, vid = OID.matterVID, pid = OID.matterPID
    static let organization: ASN1ObjectIdentifier = [2, 5, 4, 10]
    static let paiSubject = [(cn, "DCL Test PAI"), (vid, "FFF1"), (pid, "8000")]
    static let paa = Issuer(name: name([(cn, "DCL Test PAA")]), key: P256.Signing.PrivateKey())
    static let pai = Issuer(name: name(paiSubject), key: P256.Signing.PrivateKey())

    static func name(_ attributes: [(ASN1ObjectIdentifier, String)]) -> [UInt8] {
        DERWriter.name(attributes.map { ($0.0, DERWriter.utf8($0.1)) })
    }

    /// A certificate issued by `issuer` (nil: self-signed) with the Matter CA profile, or the CRL-signer profile when
    /// `ca` is false (cA FALSE and keyUsage cRLSign, both critical); `edit` runs before signing.
    static func forge(_ subject: [(ASN1ObjectIdentifier, String)], key: P256.Signing.PrivateKey = P256.Signing.PrivateKey(),
                      issuer: Issuer?, ca: Bool, signedBy: P256.Signing.PrivateKey? = nil,
                      edit: (inout ForgedCertificate) -> Void = { _ in }) -> String {
        let subjectName = name(subject)
        let skid = ForgedCertificate.skid(key.publicKey)
        let ku = ca ? KeyUsageValue.keyCertSign | KeyUsageValue.cRLSign : KeyUsageValue.cRLSign
        var f = ForgedCertificate(
            serial: DERWriter.integerBytes([0x1F] + (0..<7).map { _ in UInt8.random(in: 0...255) }),
            issuer: issuer?.name ?? subjectName, notBefore: DERWriter.time(Date(timeIntervalSinceNow: -86400)),
            notAfter: DERWriter.noExpiry, subject: subjectName, spki: ForgedCertificate.spki(key.publicKey),
            extensions: [
                .init(OID.basicConstraints, critical: true,
                      ForgedCertificate.basicConstraints(ca: ca ? true : nil, pathLen: ca ? (issuer == nil ? 1 : 0) : nil)),
                .init(OID.keyUsage, critical: true, ForgedCertificate.keyUsage(ku)),
                .init(OID.subjectKeyIdentifier, critical: nil, ForgedCertificate.skidValue(skid)),
                .init(OID.authorityKeyIdentifier, critical: nil, ForgedCertificate.akidValue(issuer?.skid ?? skid)),
            ])
        edit(&f)
        return CertificateFile.pem(f.signed(by: signedBy ?? issuer?.key ?? key))
    }

    static let paaPEM = forge([(cn, "DCL Test PAA")], key: paa.key, issuer: nil, ca: true)
    static let paiPEM = forge(paiSubject, key: pai.key, issuer: paa, ca: true)
    static func paiVariant(_ subject: [(ASN1ObjectIdentifier, String)] = paiSubject, edit: (inout ForgedCertificate) -> Void) -> String {
        forge(subject, key: pai.key, issuer: paa, ca: true, edit: edit)
    }
    static func paiDelegate(signedBy: P256.Signing.PrivateKey? = nil, edit: (inout ForgedCertificate) -> Void = { _ in }) -> String {
        forge([(cn, "DCL PAI CRL Signer"), (vid, "FFF1"), (pid, "8000")], issuer: pai, ca: false, signedBy: signedBy, edit: edit)
    }
    static func paaDelegate(edit: (inout ForgedCertificate) -> Void = { _ in }) -> String {
        forge([(cn, "DCL PAA CRL Signer"), (vid, "FFF1")], issuer: paa, ca: false, edit: edit)
    }

    static let paiPoint = DCLRevocationPoint(
        vid: 0xFFF1, label: "pai-crl", issuerSubjectKeyID: pai.skid.hexString, pid: 0x8000, isPAA: false,
        crlSignerCertificate: paiPEM, dataURL: "https://crl.example.com/pai.crl")
    static let paaPoint = DCLRevocationPoint(
        vid: 0xFFF1, label: "paa-crl", issuerSubjectKeyID: paa.skid.hexString, isPAA: true,
        crlSignerCertificate: paaPEM, dataURL: "http://crl.example.com/paa.crl")
    static let paiDelegatedPoint = DCLRevocationPoint(
        vid: 0xFFF1, label: "pai-delegated-crl", issuerSubjectKeyID: pai.skid.hexString, pid: 0x8000, isPAA: false,
        crlSignerCertificate: paiDelegate(), dataURL: "https://crl.example.com/pai-delegated.crl", crlSignerDelegator: paiPEM)
    /// The PAA as delegator, as the SDK's sample revocation set has it (matter-revocation.md §3).
    static let paaDelegatedPoint = DCLRevocationPoint(
        vid: 0xFFF1, label: "paa-delegated-crl", issuerSubjectKeyID: paa.skid.hexString, isPAA: true,
        crlSignerCertificate: paaDelegate(), dataURL: "https://crl.example.com/paa-delegated.crl", crlSignerDelegator: paaPEM)
}

/// One broken point: the rule it must break, a fragment of the detail naming what was found, and the other rules
/// the same change necessarily breaks (a digest on a CRL point breaks the CRL rule too), so nothing else slips in.
struct DCLCase: Sendable, CustomTestStringConvertible {
    let rule: DCLRule
    let detail: String
    let also: Set<DCLRule>
    let point: DCLRevocationPoint
    var testDescription: String { "\(rule.rawValue) (\(detail))" }

    init(_ rule: DCLRule, _ detail: String, _ base: DCLRevocationPoint, also: Set<DCLRule> = [],
         _ change: (inout DCLRevocationPoint) -> Void) {
        var p = base
        change(&p)
        self.rule = rule; self.detail = detail; self.also = also; self.point = p
    }
}

@Suite struct DCLRevocationPointTests {
    typealias F = DCLFixtures
    static let valid: [(String, DCLRevocationPoint)] = [
        ("PAI", F.paiPoint), ("PAA", F.paaPoint), ("PAI-delegated", F.paiDelegatedPoint), ("PAA-delegated", F.paaDelegatedPoint),
    ]

    @Test(arguments: DCLRevocationPointTests.valid.indices)
    func validPointsHaveNoViolationsAndRoundTripWithTheDCLKeys(_ i: Int) throws {
        let (kind, point) = Self.valid[i]
        #expect(point.violations().isEmpty, "\(kind): \(point.violations())")
        let json = try JSONEncoder().encode(point)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        var keys: Set<String> = ["vid", "label", "issuerSubjectKeyID", "pid", "isPAA", "crlSignerCertificate", "dataURL",
                                 "revocationType", "schemaVersion"]
        if point.crlSignerDelegator != nil { keys.insert("crlSignerDelegator") }
        #expect(Set(object.keys) == keys, "\(kind)")
        #expect(object["vid"] as? Int == 0xFFF1 && object["isPAA"] as? Bool == point.isPAA)
        #expect(try JSONDecoder().decode(DCLRevocationPoint.self, from: json) == point, "\(kind)")
    }

    /// DCL's REST answer carries every field, zeros included, and dataFileSize as a string.
    @Test func dclJSONWithZeroValuesReadsAsAbsent() throws {
        let json = """
            {"vid": 65521, "label": "pai-crl", "issuerSubjectKeyID": "\(F.pai.skid.hexString)", "pid": 32768, "isPAA": false,
             "crlSignerCertificate": \(String(decoding: try JSONEncoder().encode(F.paiPEM), as: UTF8.self)),
             "dataURL": "https://crl.example.com/pai.crl", "dataFileSize": "0", "dataDigest": "", "dataDigestType": 0,
             "revocationType": 1, "schemaVersion": 0, "crlSignerDelegator": ""}
            """
        let point = try JSONDecoder().decode(DCLRevocationPoint.self, from: Data(json.utf8))
        #expect(point.dataFileSize == "0" && point.crlSignerDelegator == "")
        #expect(point.violations().isEmpty, "\(point.violations())")
        let numeric = try JSONDecoder().decode(DCLRevocationPoint.self, from: Data(#"{"dataFileSize": 1024}"#.utf8))
        #expect(numeric.dataFileSize == "1024" && numeric.violations().contains { $0.rule == .vidOutOfRange })
    }

    @Test func violationDescriptionNamesRuleAndDetail() {
        var p = F.paiPoint
        p.label = String(repeating: "x", count: 65)
        #expect(p.violations().map(\.description) == ["labelTooLong: label has 65 characters (at most 64)"])
        #expect(DCLRule.labelTooLong.source.contains("tx.proto") && !DCLRule.labelTooLong.requirement.isEmpty)
    }

    static let rawBase64 = F.paiPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    static let sha1 = DERWriter.seq(DERWriter.oid(OID.ecdsaWithSHA1))
    static func without(_ oid: ASN1ObjectIdentifier) -> (inout ForgedCertificate) -> Void { { $0.extensions.removeAll { $0.oid == oid } } }
    static func notCritical(_ oid: ASN1ObjectIdentifier) -> (inout ForgedCertificate) -> Void { { $0.extensions[$0.index(of: oid)!].critical = nil } }
    static func keyUsage(_ bits: UInt32) -> (inout ForgedCertificate) -> Void {
        { $0.extensions[$0.index(of: OID.keyUsage)!].value = ForgedCertificate.keyUsage(bits) }
    }

    static let cases: [DCLCase] = [
        .init(.vidOutOfRange, "vid is 0 (1...65535)", F.paiPoint, also: [.signerVIDMismatch]) { $0.vid = 0 },
        .init(.vidOutOfRange, "vid is 65536", F.paiPoint, also: [.signerVIDMismatch]) { $0.vid = 65536 },
        .init(.pidOutOfRange, "pid is 70000 (0...65535)", F.paiPoint, also: [.pidDiffersFromSignerPID]) { $0.pid = 70000 },
        .init(.labelMissing, "label is empty", F.paiPoint) { $0.label = "" },
        .init(.labelTooLong, "label has 65 characters (at most 64)", F.paiPoint) { $0.label = String(repeating: "x", count: 65) },
        .init(.crlSignerCertificateMissing, "crlSignerCertificate is empty", F.paiPoint) { $0.crlSignerCertificate = "" },
        .init(.crlSignerCertificateTooLong, "crlSignerCertificate has \(F.paiPEM.count + 2048) characters (at most 2048)", F.paiPoint) {
            $0.crlSignerCertificate += String(repeating: "\n", count: 2048)
        },
        .init(.crlSignerDelegatorTooLong, "crlSignerDelegator has \(F.paiPEM.count + 2048) characters (at most 2048)", F.paiDelegatedPoint) {
            $0.crlSignerDelegator! += String(repeating: "\n", count: 2048)
        },
        .init(.issuerSubjectKeyIDMissing, "issuerSubjectKeyID is empty", F.paiPoint) { $0.issuerSubjectKeyID = "" },
        .init(.issuerSubjectKeyIDTooLong, "issuerSubjectKeyID has 66 characters (at most 64)", F.paiPoint) {
            $0.issuerSubjectKeyID = String(repeating: "AB", count: 33)
        },
        .init(.issuerSubjectKeyIDNotUppercaseHex, "\"\(F.pai.skid.hexString.lowercased())\"", F.paiPoint) {
            $0.issuerSubjectKeyID = $0.issuerSubjectKeyID.lowercased()
        },
        .init(.issuerSubjectKeyIDNotUppercaseHex, "\"AB:CD\"", F.paiPoint) { $0.issuerSubjectKeyID = "AB:CD" },
        .init(.issuerSubjectKeyIDNotUppercaseHex, "\"ABC\"", F.paiPoint) { $0.issuerSubjectKeyID = "ABC" },
        .init(.dataURLMissing, "dataURL is empty", F.paiPoint) { $0.dataURL = "" },
        .init(.dataURLTooLong, "dataURL has 257 characters (at most 256)", F.paiPoint) {
            $0.dataURL = "https://crl.example.com/" + String(repeating: "a", count: 233)
        },
        .init(.dataURLNotHTTP, "has scheme ftp (http or https)", F.paiPoint) { $0.dataURL = "ftp://crl.example.com/pai.crl" },
        .init(.dataURLNotHTTP, "\"https:///pai.crl\" has no host", F.paiPoint) { $0.dataURL = "https:///pai.crl" },
        .init(.dataURLNotHTTP, "has scheme (none)", F.paiPoint) { $0.dataURL = "/pai.crl" },
        .init(.dataDigestTooLong, "dataDigest has 129 characters (at most 128)",
              F.paiPoint, also: [.dataDigestFileSizeMismatch, .dataDigestTypeDigestMismatch, .dataFieldsPresentForCRL]) {
            $0.dataDigest = String(repeating: "A", count: 129)
        },
        .init(.dataFileSizeNotUInt64, "dataFileSize \"12a\" is not a decimal uint64",
              F.paiPoint, also: [.dataDigestFileSizeMismatch, .dataFieldsPresentForCRL]) {
            $0.dataFileSize = "12a"
        },
        .init(.dataFileSizeNotUInt64, "dataFileSize \"+1\"",
              F.paiPoint, also: [.dataDigestFileSizeMismatch, .dataFieldsPresentForCRL]) {
            $0.dataFileSize = "+1"
        },
        .init(.revocationTypeUnsupported, "revocationType is 2 (only 1", F.paiPoint) { $0.revocationType = 2 },
        .init(.revocationTypeUnsupported, "revocationType is 0", F.paiPoint) { $0.revocationType = 0 },
        .init(.schemaVersionNotZero, "schemaVersion is 1 (must be 0)", F.paiPoint) { $0.schemaVersion = 1 },
        .init(.dataDigestTypeUnsupported, "dataDigestType is 2 (one of 1, 7, 8, 10, 11, 12)",
              F.paiPoint, also: [.dataDigestTypeDigestMismatch, .dataFieldsPresentForCRL]) {
            $0.dataDigestType = 2
        },
        .init(.dataDigestFileSizeMismatch, "dataDigest is present without dataFileSize", F.paiPoint, also: [.dataFieldsPresentForCRL]) {
            $0.dataDigest = "AB"; $0.dataDigestType = 1
        },
        .init(.dataDigestFileSizeMismatch, "dataFileSize 1024 is present without dataDigest", F.paiPoint, also: [.dataFieldsPresentForCRL]) {
            $0.dataFileSize = "1024"
        },
        .init(.dataDigestTypeDigestMismatch, "dataDigestType 1 is present without dataDigest", F.paiPoint, also: [.dataFieldsPresentForCRL]) {
            $0.dataDigestType = 1
        },
        .init(.dataDigestTypeDigestMismatch, "dataDigest is present without dataDigestType", F.paiPoint, also: [.dataFieldsPresentForCRL]) {
            $0.dataDigest = "AB"; $0.dataFileSize = "2"
        },
        .init(.dataFieldsPresentForCRL, "revocationType 1 (CRL) carries dataFileSize 1024, dataDigest, dataDigestType 1", F.paiPoint) {
            $0.dataFileSize = "1024"; $0.dataDigest = "ABCD"; $0.dataDigestType = 1
        },
        .init(.certificateNotPEM, "crlSignerCertificate is not PEM", F.paiPoint) { $0.crlSignerCertificate = Self.rawBase64 },
        .init(.certificateNotPEM, "crlSignerDelegator is not PEM", F.paiDelegatedPoint) { $0.crlSignerDelegator = "garbage" },
        .init(.certificateNotPEM, "crlSignerCertificate: PEM CERTIFICATE block is not valid base64", F.paiPoint) {
            $0.crlSignerCertificate = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"
        },
        .init(.certificateNotPEM, "crlSignerCertificate: PEM file holds no CERTIFICATE block", F.paiPoint) {
            $0.crlSignerCertificate = $0.crlSignerCertificate.replacingOccurrences(of: "CERTIFICATE", with: "PRIVATE KEY")
        },
        .init(.certificateUnparsable, "crlSignerCertificate: ", F.paiPoint) {
            $0.crlSignerCertificate = CertificateFile.pem([0x30, 0x03, 0x02, 0x01, 0x01])
        },
        .init(.serialNumberInvalid, "crlSignerCertificate serial has 21 octets (at most 20)", F.paiPoint) {
            $0.crlSignerCertificate = F.paiVariant { $0.serial = DERWriter.integerBytes([0x01] + [UInt8](repeating: 0xAB, count: 20)) }
        },
        .init(.serialNumberInvalid, "crlSignerCertificate serial 00 is not positive", F.paiPoint) {
            $0.crlSignerCertificate = F.paiVariant { $0.serial = DERWriter.integerBytes([0x00]) }
        },
        .init(.serialNumberInvalid, "crlSignerDelegator serial 8001 is not positive", F.paiDelegatedPoint) {
            $0.crlSignerDelegator = F.paiVariant { $0.serial = DERWriter.integerBytes([0x80, 0x01]) }
        },
        .init(.tooManySANs, "crlSignerCertificate has 101 subject alternative names (at most 100)", F.paiPoint) {
            let sans = DERWriter.seq((0..<101).map { _ in DERWriter.tlv(0x82, Array("a".utf8)) })
            $0.crlSignerCertificate = F.paiVariant { $0.extensions.append(.init(OID.subjectAltName, critical: nil, sans)) }
        },
        .init(.tooManySubjectAttributes, "crlSignerCertificate subject has 51 attributes (at most 50)", F.paiPoint) {
            $0.crlSignerCertificate = F.paiVariant(F.paiSubject + Array(repeating: (F.organization, "o"), count: 48)) { _ in }
        },
        .init(.signerVIDPIDMalformed, "MatterVID attribute \"XYZW\"", F.paiPoint) {
            $0.crlSignerCertificate = F.paiVariant([(F.cn, "DCL Test PAI"), (F.vid, "XYZW"), (F.pid, "8000")]) { _ in }
        },
        .init(.signerVIDMismatch, "signer VID 0xFFF1 differs from vid 0xFFF2", F.paiPoint) { $0.vid = 0xFFF2 },
        .init(.signerVIDMismatch, "signer VID 0xFFF1 differs from vid 0xFFF2", F.paaDelegatedPoint) { $0.vid = 0xFFF2 },
        .init(.paaPointPIDNotZero, "isPAA with pid 0x8000 (must be 0)", F.paaPoint) { $0.pid = 0x8000 },
        .init(.paaSignerCarriesPID, "isPAA with a signer carrying PID 0x8000", F.paaPoint) {
            $0.crlSignerCertificate = F.forge([(F.cn, "Root with PID"), (F.pid, "8000")], issuer: nil, ca: true)
        },
        .init(.paiSignerSelfSigned, "is self-signed", F.paiPoint) { $0.crlSignerCertificate = F.paaPEM; $0.pid = 0 },
        .init(.pidSetWithoutSignerPID, "pid is 0x8000 but the signer carries no PID", F.paiPoint) {
            $0.crlSignerCertificate = F.paiVariant([(F.cn, "DCL Test PAI"), (F.vid, "FFF1")]) { _ in }
        },
        .init(.pidDiffersFromSignerPID, "pid is 0x8001 but the signer carries PID 0x8000", F.paiPoint) { $0.pid = 0x8001 },
        .init(.pidDiffersFromSignerPID, "pid is 0x0000 but the signer carries PID 0x8000", F.paiDelegatedPoint) { $0.pid = 0 },
        .init(.delegateWithoutDelegator, "is not a CA, so not a PAI, and no crlSignerDelegator is given", F.paiDelegatedPoint) {
            $0.crlSignerDelegator = ""
        },
        .init(.delegateNotV3, "delegated signer is v2", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate { $0.version = DERWriter.context(0, DERWriter.integer(1)) }
        },
        .init(.delegateNotV3, "delegated signer is v1", F.paaDelegatedPoint) { $0.crlSignerCertificate = F.paaDelegate { $0.version = nil } },
        .init(.delegateNotECDSAWithSHA256, "delegated signer is signed with ecdsa-with-SHA1",
              F.paiDelegatedPoint, also: [.delegateNotVerifiedByDelegator]) {
            $0.crlSignerCertificate = F.paiDelegate { $0.signatureAlgorithm = Self.sha1; $0.tbsSignatureAlgorithm = Self.sha1; $0.digest = .sha1 }
        },
        .init(.delegateKeyNotP256, "delegated signer key is EC P-384", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate { $0.spki = Array(P384.Signing.PrivateKey().publicKey.derRepresentation) }
        },
        .init(.delegateSKIDMissing, "delegated signer has no subjectKeyIdentifier", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate(edit: Self.without(OID.subjectKeyIdentifier))
        },
        .init(.delegateCAFlagNotFalse, "delegated signer has basicConstraints cA TRUE", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate { $0.extensions[0].value = ForgedCertificate.basicConstraints(ca: true, pathLen: nil) }
        },
        .init(.delegateCAFlagNotFalse, "delegated signer has no basicConstraints", F.paaDelegatedPoint) {
            $0.crlSignerCertificate = F.paaDelegate(edit: Self.without(OID.basicConstraints))
        },
        .init(.delegateBasicConstraintsNotCritical, "basicConstraints is not critical", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate(edit: Self.notCritical(OID.basicConstraints))
        },
        .init(.delegateKeyUsageNotCritical, "keyUsage is not critical", F.paaDelegatedPoint) {
            $0.crlSignerCertificate = F.paaDelegate(edit: Self.notCritical(OID.keyUsage))
        },
        .init(.delegateKeyUsageNotCritical, "delegated signer has no keyUsage", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate(edit: Self.without(OID.keyUsage))
        },
        .init(.delegateKeyUsageLacksCRLSign, "keyUsage is [digitalSignature], without cRLSign", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate(edit: Self.keyUsage(KeyUsageValue.digitalSignature))
        },
        .init(.delegateKeyUsageHasOtherBits, "keyUsage also has [keyCertSign]", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate(edit: Self.keyUsage(KeyUsageValue.cRLSign | KeyUsageValue.keyCertSign))
        },
        .init(.delegateNotVerifiedByDelegator, "does not verify with the delegator's key", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate(signedBy: P256.Signing.PrivateKey())
        },
        .init(.delegateNotVerifiedByDelegator, "is not the delegator's subject", F.paiDelegatedPoint) { $0.crlSignerDelegator = F.paaPEM },
        .init(.delegateNotVerifiedByDelegator, "the signer is not valid at", F.paiDelegatedPoint) {
            $0.crlSignerCertificate = F.paiDelegate {
                $0.notBefore = DERWriter.time(Date(timeIntervalSinceNow: -2 * 86400))
                $0.notAfter = DERWriter.time(Date(timeIntervalSinceNow: -3600))
            }
        },
        .init(.delegateNotVerifiedByDelegator, "the signer's extendedKeyUsage lacks serverAuth", F.paiDelegatedPoint) {
            let clientAuth = DERWriter.seq(DERWriter.oid([1, 3, 6, 1, 5, 5, 7, 3, 2]))
            $0.crlSignerCertificate = F.paiDelegate { $0.extensions.append(.init(OID.extendedKeyUsage, critical: nil, clientAuth)) }
        },
    ]

    @Test(arguments: DCLRevocationPointTests.cases)
    func eachRuleIsReportedWithWhatWasFound(_ c: DCLCase) {
        let found = c.point.violations()
        #expect(found.contains { $0.rule == c.rule && $0.detail.contains(c.detail) }, "got \(found)")
        #expect(Set(found.map(\.rule)) == c.also.union([c.rule]), "got \(found)")
    }

    @Test func everyRuleIsExercised() {
        let missing = Set(DCLRule.allCases).subtracting(Self.cases.map(\.rule))
        #expect(Set(Self.cases.map(\.rule)) == Set(DCLRule.allCases), "not exercised: \(missing.map(\.rawValue).sorted())")
    }

    @Test func everyRuleHasARequirementAndADCLSource() {
        for rule in DCLRule.allCases {
            #expect(!rule.requirement.isEmpty && !rule.source.isEmpty, "\(rule)")
        }
        #expect(DCLRule.allCases.filter { !$0.source.contains("distributed-compliance-ledger") } == [.delegateWithoutDelegator])
    }
}

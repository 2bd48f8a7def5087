import Foundation
import SwiftASN1

/// A DCL `PkiRevocationDistributionPoint` as the DCL's JSON names its fields (what a vendor submits with
/// MsgAddPkiRevocationDistributionPoint; what `generate_revocation_set.py` reads back).
public struct DCLRevocationPoint: Codable, Sendable, Equatable {
    public var vid: Int
    public var label: String
    public var issuerSubjectKeyID: String
    public var pid: Int
    public var isPAA: Bool
    public var crlSignerCertificate: String   // PEM text
    public var dataURL: String
    public var dataFileSize: String?          // DCL JSON carries uint64 as a string; absent for revocationType 1
    public var dataDigest: String?
    public var dataDigestType: Int?
    public var revocationType: Int
    public var schemaVersion: Int
    public var crlSignerDelegator: String?    // PEM text, or absent/empty

    public init(vid: Int, label: String, issuerSubjectKeyID: String, pid: Int = 0, isPAA: Bool, crlSignerCertificate: String,
                dataURL: String, dataFileSize: String? = nil, dataDigest: String? = nil, dataDigestType: Int? = nil,
                revocationType: Int = 1, schemaVersion: Int = 0, crlSignerDelegator: String? = nil) {
        self.vid = vid; self.label = label; self.issuerSubjectKeyID = issuerSubjectKeyID; self.pid = pid; self.isPAA = isPAA
        self.crlSignerCertificate = crlSignerCertificate; self.dataURL = dataURL; self.dataFileSize = dataFileSize
        self.dataDigest = dataDigest; self.dataDigestType = dataDigestType; self.revocationType = revocationType
        self.schemaVersion = schemaVersion; self.crlSignerDelegator = crlSignerDelegator
    }

    enum CodingKeys: String, CodingKey {
        case vid, label, issuerSubjectKeyID, pid, isPAA, crlSignerCertificate, dataURL, dataFileSize, dataDigest, dataDigestType,
             revocationType, schemaVersion, crlSignerDelegator
    }

    /// proto3 JSON may omit zero values, so a missing field reads as its zero (and the rules then say what is
    /// missing) rather than failing the decode. dataFileSize is also taken as a JSON number.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vid = try c.decodeIfPresent(Int.self, forKey: .vid) ?? 0
        label = try c.decodeIfPresent(String.self, forKey: .label) ?? ""
        issuerSubjectKeyID = try c.decodeIfPresent(String.self, forKey: .issuerSubjectKeyID) ?? ""
        pid = try c.decodeIfPresent(Int.self, forKey: .pid) ?? 0
        isPAA = try c.decodeIfPresent(Bool.self, forKey: .isPAA) ?? false
        crlSignerCertificate = try c.decodeIfPresent(String.self, forKey: .crlSignerCertificate) ?? ""
        dataURL = try c.decodeIfPresent(String.self, forKey: .dataURL) ?? ""
        if let s = try? c.decodeIfPresent(String.self, forKey: .dataFileSize) {
            dataFileSize = s
        } else {
            dataFileSize = try c.decodeIfPresent(UInt64.self, forKey: .dataFileSize).map(String.init)
        }
        dataDigest = try c.decodeIfPresent(String.self, forKey: .dataDigest)
        dataDigestType = try c.decodeIfPresent(Int.self, forKey: .dataDigestType)
        revocationType = try c.decodeIfPresent(Int.self, forKey: .revocationType) ?? 0
        schemaVersion = try c.decodeIfPresent(Int.self, forKey: .schemaVersion) ?? 0
        crlSignerDelegator = try c.decodeIfPresent(String.self, forKey: .crlSignerDelegator)
    }
}

extension DCLRevocationPoint {
    /// Every DCL rule the point breaks (not only the first, as the ledger reports). `time` stands for the block time
    /// at which the ledger verifies a delegated signer.
    public func violations(at time: Date = Date()) -> [DCLViolation] {
        var out: [DCLViolation] = []
        let fail = { (rule: DCLRule, detail: String) in out.append(DCLViolation(rule, detail)) }
        fieldViolations(fail)
        certificateViolations(at: time, fail)
        return out
    }

    static let allowedDigestTypes = [1, 7, 8, 10, 11, 12]

    private func fieldViolations(_ fail: (DCLRule, String) -> Void) {
        if !(1...65535).contains(vid) { fail(.vidOutOfRange, "vid is \(vid) (1...65535)") }
        if !(0...65535).contains(pid) { fail(.pidOutOfRange, "pid is \(pid) (0...65535)") }
        // go-playground's required/max count runes: Unicode scalars, not grapheme clusters.
        func text(_ field: String, _ value: String, max: Int, missing: DCLRule?, tooLong: DCLRule) {
            if let missing, value.isEmpty { fail(missing, "\(field) is empty") }
            let n = value.unicodeScalars.count
            if n > max { fail(tooLong, "\(field) has \(n) characters (at most \(max))") }
        }
        text("label", label, max: 64, missing: .labelMissing, tooLong: .labelTooLong)
        text("crlSignerCertificate", crlSignerCertificate, max: 2048, missing: .crlSignerCertificateMissing, tooLong: .crlSignerCertificateTooLong)
        text("crlSignerDelegator", crlSignerDelegator ?? "", max: 2048, missing: nil, tooLong: .crlSignerDelegatorTooLong)
        text("issuerSubjectKeyID", issuerSubjectKeyID, max: 64, missing: .issuerSubjectKeyIDMissing, tooLong: .issuerSubjectKeyIDTooLong)
        text("dataURL", dataURL, max: 256, missing: .dataURLMissing, tooLong: .dataURLTooLong)
        text("dataDigest", dataDigest ?? "", max: 128, missing: nil, tooLong: .dataDigestTooLong)

        let isUpperHex = issuerSubjectKeyID.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) }
        if !issuerSubjectKeyID.isEmpty, !(isUpperHex && issuerSubjectKeyID.utf8.count % 2 == 0) {
            fail(.issuerSubjectKeyIDNotUppercaseHex, "issuerSubjectKeyID \"\(issuerSubjectKeyID)\" is not pairs of uppercase hex digits")
        }
        if !dataURL.isEmpty, let problem = Self.httpURLProblem(dataURL) { fail(.dataURLNotHTTP, "dataURL \"\(dataURL)\" \(problem)") }

        // proto3: a zero value is an absent one, so "0", "" and 0 count as absent.
        let size = dataFileSize ?? ""
        let sizeValue = size.utf8.allSatisfy { (0x30...0x39).contains($0) } ? UInt64(size) : nil
        if !size.isEmpty, sizeValue == nil { fail(.dataFileSizeNotUInt64, "dataFileSize \"\(size)\" is not a decimal uint64") }
        let hasSize = !size.isEmpty && sizeValue != 0
        let hasDigest = !(dataDigest ?? "").isEmpty
        let digestType = dataDigestType ?? 0
        let hasType = digestType != 0

        if revocationType != 1 { fail(.revocationTypeUnsupported, "revocationType is \(revocationType) (only 1, an RFC 5280 CRL)") }
        if schemaVersion != 0 { fail(.schemaVersionNotZero, "schemaVersion is \(schemaVersion) (must be 0)") }
        if hasType, !Self.allowedDigestTypes.contains(digestType) {
            let allowed = Self.allowedDigestTypes.map(String.init).joined(separator: ", ")
            fail(.dataDigestTypeUnsupported, "dataDigestType is \(digestType) (one of \(allowed))")
        }
        if hasDigest != hasSize {
            fail(.dataDigestFileSizeMismatch,
                 hasDigest ? "dataDigest is present without dataFileSize" : "dataFileSize \(size) is present without dataDigest")
        }
        if hasType != hasDigest {
            fail(.dataDigestTypeDigestMismatch,
                 hasType ? "dataDigestType \(digestType) is present without dataDigest" : "dataDigest is present without dataDigestType")
        }
        if revocationType == 1, hasSize || hasDigest || hasType {
            let present = [hasSize ? "dataFileSize \(size)" : nil, hasDigest ? "dataDigest" : nil, hasType ? "dataDigestType \(digestType)" : nil]
            fail(.dataFieldsPresentForCRL, "revocationType 1 (CRL) carries \(present.compactMap { $0 }.joined(separator: ", "))")
        }
    }

    /// Go's `url.ParseRequestURI` plus DCL's host and scheme test, approximated with URLComponents (which refuses a
    /// few characters Go lets through in a path, a raw space for one).
    static func httpURLProblem(_ s: String) -> String? {
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains a control character" }
        guard let u = URLComponents(string: s) else { return "does not parse as a URL" }
        guard let scheme = u.scheme, ["http", "https"].contains(scheme.lowercased()) else {
            return "has scheme \(u.scheme ?? "(none)") (http or https)"
        }
        guard let host = u.host, !host.isEmpty else { return "has no host" }
        return nil
    }

    private func certificateViolations(at time: Date, _ fail: (DCLRule, String) -> Void) {
        let delegatorPEM = crlSignerDelegator ?? ""
        // The ledger reads the delegator only without isPAA; it is parsed here either way, since the revocation-set
        // generator and verifiers read it whenever it is there.
        let delegator = delegatorPEM.isEmpty ? nil : Self.certificate(delegatorPEM, "crlSignerDelegator", fail)
        guard !crlSignerCertificate.isEmpty, let signer = Self.certificate(crlSignerCertificate, "crlSignerCertificate", fail) else { return }

        // An unreadable VID/PID stops the ledger there; its comparisons are skipped rather than guessed.
        var ids: MatterVIDPID?
        do { ids = try signer.matterVIDPID() } catch {
            fail(.signerVIDPIDMalformed, "signer subject \"\(signer.subject)\": \(error)")
        }
        // The ledger reads a 0000 VID or PID as none.
        let signerVID = ids?.vid.flatMap { $0.rawValue == 0 ? nil : $0 }
        let signerPID = ids?.pid.flatMap { $0.rawValue == 0 ? nil : $0 }
        if let v = signerVID, Int(v.rawValue) != vid { fail(.signerVIDMismatch, "signer VID \(v) differs from vid \(Self.hex(vid))") }
        let selfSigned = Self.isSelfSigned(signer)
        if isPAA {
            if pid != 0 { fail(.paaPointPIDNotZero, "isPAA with pid \(Self.hex(pid)) (must be 0)") }
            if let p = signerPID { fail(.paaSignerCarriesPID, "isPAA with a signer carrying PID \(p)") }
        } else {
            if selfSigned { fail(.paiSignerSelfSigned, "isPAA is false but the signer \"\(signer.subject)\" is self-signed") }
            if let p = signerPID {
                if Int(p.rawValue) != pid { fail(.pidDiffersFromSignerPID, "pid is \(Self.hex(pid)) but the signer carries PID \(p)") }
            } else if pid != 0, ids != nil {
                fail(.pidSetWithoutSignerPID, "pid is \(Self.hex(pid)) but the signer carries no PID")
            }
            if delegatorPEM.isEmpty, !selfSigned, !Self.isCA(signer) {
                fail(.delegateWithoutDelegator, "the signer \"\(signer.subject)\" is not a CA, so not a PAI, and no crlSignerDelegator is given")
            }
        }
        // A PAA's delegate, and without isPAA any signer that names a delegator, must meet the CRL-signer profile.
        if isPAA ? !selfSigned : !delegatorPEM.isEmpty { Self.crlSignerProfile(signer, fail) }
        if !isPAA, let delegator { Self.verify(signer, under: delegator, at: time, fail) }
    }

    /// PEM → X.509, and the limits DCL's ParseAndValidateCertificate applies; nil when unusable.
    private static func certificate(_ pem: String, _ field: String, _ fail: (DCLRule, String) -> Void) -> ParsedCertificate? {
        // derBytes alone would take DER or bare base64 as they are; the ledger's pem.Decode refuses both.
        guard pem.contains("-----BEGIN") else {
            fail(.certificateNotPEM, "\(field) is not PEM (no -----BEGIN line; DER and bare base64 are refused)")
            return nil
        }
        let cert: ParsedCertificate
        do {
            cert = try ParsedCertificate(der: CertificateFile.derBytes(Array(pem.utf8), name: field, label: "CERTIFICATE"))
        } catch let e as CertificateFile.ReadError {
            fail(.certificateNotPEM, e.description)
            return nil
        } catch {
            fail(.certificateUnparsable, "\(field): \(error)")
            return nil
        }
        let serial = cert.serialNumber
        let magnitude = serial.drop { $0 == 0 }
        if serial[0] & 0x80 != 0 || magnitude.isEmpty {
            fail(.serialNumberInvalid, "\(field) serial \(serial.hexString) is not positive")
        } else if magnitude.count > 20 {
            fail(.serialNumberInvalid, "\(field) serial has \(magnitude.count) octets (at most 20)")
        }
        let sans = sanCount(cert)
        if sans > 100 { fail(.tooManySANs, "\(field) has \(sans) subject alternative names (at most 100)") }
        let attributes = cert.subject.attributes.count
        if attributes > 50 { fail(.tooManySubjectAttributes, "\(field) subject has \(attributes) attributes (at most 50)") }
        return cert
    }

    /// DCL `VerifyCRLSignerCertFormat`, one violation per requirement (the ledger stops at the first).
    static func crlSignerProfile(_ c: ParsedCertificate, _ fail: (DCLRule, String) -> Void) {
        if c.version != 2 { fail(.delegateNotV3, "delegated signer is v\(c.version + 1)") }
        if c.signatureAlgorithm?.oid != OID.ecdsaWithSHA256 {
            fail(.delegateNotECDSAWithSHA256, "delegated signer is signed with \(c.effectiveSignatureAlgorithm)")
        }
        if c.publicKey.p256 == nil { fail(.delegateKeyNotP256, "delegated signer key is \(c.publicKey.summary)") }
        if (c.subjectKeyIdentifier ?? []).isEmpty { fail(.delegateSKIDMissing, "delegated signer has no subjectKeyIdentifier") }
        // Go's BasicConstraintsValid is false when the extension is absent, which the ledger reports as "cA SHALL be FALSE".
        if let bc = c.extensions(OID.basicConstraints).first {
            switch Result(catching: { try BasicConstraintsValue(bc.value) }) {
            case .success(let v): if v.isCA { fail(.delegateCAFlagNotFalse, "delegated signer has basicConstraints cA TRUE") }
            case .failure(let e): fail(.delegateCAFlagNotFalse, "delegated signer basicConstraints does not decode: \(e)")
            }
            if !bc.critical { fail(.delegateBasicConstraintsNotCritical, "delegated signer basicConstraints is not critical") }
        } else {
            fail(.delegateCAFlagNotFalse, "delegated signer has no basicConstraints (cA FALSE must be stated)")
        }
        guard let kuExtension = c.extensions(OID.keyUsage).first else {
            fail(.delegateKeyUsageNotCritical, "delegated signer has no keyUsage")
            return
        }
        if !kuExtension.critical { fail(.delegateKeyUsageNotCritical, "delegated signer keyUsage is not critical") }
        guard let ku = try? KeyUsageValue(kuExtension.value) else {
            fail(.delegateKeyUsageLacksCRLSign, "delegated signer keyUsage does not decode")
            return
        }
        if ku.bits & KeyUsageValue.cRLSign == 0 {
            fail(.delegateKeyUsageLacksCRLSign, "delegated signer keyUsage is [\(ku.names.joined(separator: ", "))], without cRLSign")
        }
        let other = KeyUsageValue(bits: ku.bits & ~(KeyUsageValue.cRLSign | KeyUsageValue.digitalSignature))
        if other.bits != 0 {
            fail(.delegateKeyUsageHasOtherBits, "delegated signer keyUsage also has [\(other.names.joined(separator: ", "))]")
        }
    }

    /// What Go's `Certificate.Verify` (DCL `checkCRLSignerNonRootCert`, delegator as the only root) requires: the
    /// issuer name byte for byte, a delegator allowed to sign certificates, the signature, both certificates valid at
    /// `time`, and, as no KeyUsages are passed, serverAuth (or any) in every extendedKeyUsage present.
    static func verify(_ c: ParsedCertificate, under d: ParsedCertificate, at time: Date, _ fail: (DCLRule, String) -> Void) {
        let rule = DCLRule.delegateNotVerifiedByDelegator
        if c.issuer.der != d.subject.der { fail(rule, "signer issuer \"\(c.issuer)\" is not the delegator's subject \"\(d.subject)\"") }
        let bc = d.extensions(OID.basicConstraints).first
        if (d.version == 2 && bc == nil) || (bc != nil && !isCA(d)) { fail(rule, "the delegator is not a CA (basicConstraints cA is not TRUE)") }
        if let e = d.extensions(OID.keyUsage).first, let ku = try? KeyUsageValue(e.value), ku.bits != 0, ku.bits & KeyUsageValue.keyCertSign == 0 {
            fail(rule, "the delegator's keyUsage lacks keyCertSign")
        }
        if !c.isSignatureValid(issuerKey: d.publicKey) {
            fail(rule, "the signer's signature (\(c.effectiveSignatureAlgorithm)) does not verify with the delegator's key (\(d.publicKey.summary))")
        }
        let now = Int64(time.timeIntervalSince1970.rounded(.down))
        let serverAuth: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 1], anyUsage: ASN1ObjectIdentifier = [2, 5, 29, 37, 0]
        for (name, x) in [("signer", c), ("delegator", d)] {
            if !(x.notBefore.secondsSince1970 <= now && now <= x.notAfter.secondsSince1970) {
                let at = CertificateTime(secondsSince1970: now, encoding: .utcTime)
                fail(rule, "the \(name) is not valid at \(at) (\(x.notBefore) … \(x.notAfter))")
            }
            for e in x.extensions(OID.extendedKeyUsage) {
                guard let eku = try? ExtendedKeyUsageValue(e.value) else { continue }
                if !eku.purposes.contains(serverAuth), !eku.purposes.contains(anyUsage) {
                    fail(rule, "the \(name)'s extendedKeyUsage lacks serverAuth and anyExtendedKeyUsage, which Go's Verify requires by default")
                }
            }
        }
    }

    /// What Go's crypto/x509 collects and DCL adds up: DNS names, e-mail addresses, URIs, IP addresses.
    static func sanCount(_ cert: ParsedCertificate) -> Int {
        cert.extensions(OID.subjectAltName).reduce(0) { n, e in
            guard let node = try? DER.parse(e.value), case .constructed(let names) = node.content else { return n }
            return n + names.filter { $0.identifier.tagClass == .contextSpecific && [1, 2, 6, 7].contains($0.identifier.tagNumber) }.count
        }
    }

    /// DCL's `IsSelfSigned`: issuer DER equals subject DER and, when an AKID is present, it equals the SKID.
    /// The signature is not looked at.
    static func isSelfSigned(_ c: ParsedCertificate) -> Bool {
        guard c.issuer.der == c.subject.der else { return false }
        guard let akid = c.authorityKeyIdentifier, !akid.isEmpty else { return true }
        return akid == c.subjectKeyIdentifier
    }

    static func isCA(_ c: ParsedCertificate) -> Bool {
        c.extensions(OID.basicConstraints).first.flatMap { try? BasicConstraintsValue($0.value) }?.isCA == true
    }

    static func hex(_ v: Int) -> String {
        guard v >= 0 else { return "\(v)" }
        let digits = String(v, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

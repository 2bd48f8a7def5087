import Crypto
import Foundation
import Ledger
import MatterPKI
import X509

/// API tokens and factory station certificates: how network front ends learn who is asking. Only hashes are
/// stored; a token's secret is returned once, to be shown once.
public enum Credentials {
    public enum Problem: Error, CustomStringConvertible, Equatable {
        case unknownVendor(String)
        case notACertificate(String)
        public var description: String {
            switch self {
            case .unknownVendor(let v): return "unknownVendor: no vendor with VID \(v) in the ledger (matter-ca vendor import)"
            case .notACertificate(let r): return "not a certificate: \(r)"
            }
        }
    }

    /// A new token for a vendor (or an administrator when `vid` is nil): the record and the secret, shown once.
    public static func createToken(ledger: any Ledger, vid: VendorID?, label: String, actor: String, now: Date) throws -> (CredentialRecord, String) {
        if let vid { guard try ledger.vendor(vid: Int(vid.rawValue)) != nil else { throw Problem.unknownVendor(vid.hex) } }
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let secret = "mca_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let record = CredentialRecord(id: "tok_" + randomID(), kind: .token, role: vid == nil ? .admin : .vendor, vid: vid.map { Int($0.rawValue) },
                                      label: label, secretSHA256: sha256(Array(secret.utf8)), createdAt: now)
        try ledger.addCredential(record, actor: actor)
        return (record, secret)
    }

    /// A factory station's TLS client certificate, mapped to a vendor.
    public static func registerStation(ledger: any Ledger, vid: VendorID, certificateDER: [UInt8], label: String, actor: String, now: Date) throws -> CredentialRecord {
        guard try ledger.vendor(vid: Int(vid.rawValue)) != nil else { throw Problem.unknownVendor(vid.hex) }
        do { _ = try ParsedCertificate(der: certificateDER) } catch { throw Problem.notACertificate("\(error)") }
        let record = CredentialRecord(id: "stn_" + randomID(), kind: .station, role: .vendor, vid: Int(vid.rawValue), label: label,
                                      secretSHA256: sha256(certificateDER), createdAt: now)
        try ledger.addCredential(record, actor: actor)
        return record
    }

    public enum Authentication: Equatable, Sendable {
        case principal(Principal)
        /// A credential was presented but is revoked, unknown or expired: 401 with this reason.
        case refused(String)
    }

    /// A bearer token (or the password of HTTP Basic).
    public static func authenticate(token: String, ledger: any Ledger) throws -> Authentication {
        guard let c = try ledger.credential(secretSHA256: sha256(Array(token.utf8))), c.kind == .token else { return .refused("unknown token") }
        guard c.revokedAt == nil else { return .refused("token \(c.id) is revoked") }
        return .principal(principal(c))
    }

    /// A TLS client certificate: a registered station (its vendor), or a DAC this authority issued and has not
    /// revoked (that device, for re-enrollment only).
    public static func authenticate(clientCertificate der: [UInt8], ledger: any Ledger, now: Date) throws -> Authentication {
        let digest = sha256(der)
        if let c = try ledger.credential(secretSHA256: digest), c.kind == .station {
            guard c.revokedAt == nil else { return .refused("station certificate \(c.id) is revoked") }
            return .principal(principal(c))
        }
        guard let parsed = try? ParsedCertificate(der: der) else { return .refused("the client certificate does not parse") }
        guard let rec = try ledger.certificates(matching: parsed.serialHex).first(where: { $0.sha256.lowercased() == digest }) else {
            return .refused("the client certificate was not issued by this authority nor registered as a station")
        }
        guard rec.type == "dac", rec.status == "issued" else { return .refused("certificate \(rec.serial) is \(rec.status), not an issued DAC") }
        guard parsed.notAfter.date > now else { return .refused("certificate \(rec.serial) has expired") }
        guard let v = rec.vid, let p = rec.pid else { return .refused("certificate \(rec.serial) names no VID/PID") }
        return .principal(.device(VendorID(UInt16(v)), ProductID(UInt16(p)), serial: rec.serial))
    }

    /// Whether `der` is signed by one of the CA certificates `cas` (its issuer name and signature).
    public static func issued(_ der: [UInt8], byAnyOf cas: [[UInt8]]) -> Bool {
        guard let cert = try? Certificate(derEncoded: der) else { return false }
        return cas.contains { caDER in
            guard let ca = try? Certificate(derEncoded: caDER) else { return false }
            return ca.subject == cert.issuer && ca.publicKey.isValidSignature(cert.signature, for: cert)
        }
    }

    static func principal(_ c: CredentialRecord) -> Principal {
        if c.role == .admin { return .admin("\(c.id) (\(c.label))") }
        return .vendor(VendorID(UInt16(c.vid ?? 0)), credential: "\(c.id) (\(c.label))")
    }

    static func sha256(_ bytes: [UInt8]) -> String { Array(SHA256.hash(data: bytes)).lowercaseHexString }
    static func randomID() -> String { (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() }
}

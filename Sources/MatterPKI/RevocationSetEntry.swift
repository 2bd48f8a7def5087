import Foundation

/// One entry of a Matter revocation set, the JSON the SDK's `TestDACRevocationDelegateImpl` reads and
/// `credentials/generate_revocation_set.py` writes (matter-revocation.md §3): one per accepted revocation point.
/// Shared by the publisher (`crl revocation-set`) and the verifier.
public struct RevocationSetEntry: Codable, Sendable, Equatable {
    public var type: String
    /// The revoking CA's SKID, uppercase hex.
    public var issuer_subject_key_id: String
    /// The revoking CA's subject, base64 DER.
    public var issuer_name: String
    /// Serial magnitudes, uppercase hex, even length.
    public var revoked_serial_numbers: [String]
    /// Base64 DER.
    public var crl_signer_cert: String
    public var crl_signer_delegator: String?

    public init(issuerSubjectKeyID: String, issuerName: String, revokedSerialNumbers: [String], crlSignerCert: String,
                crlSignerDelegator: String? = nil) {
        type = "revocation_set"; issuer_subject_key_id = issuerSubjectKeyID; issuer_name = issuerName
        revoked_serial_numbers = revokedSerialNumbers; crl_signer_cert = crlSignerCert; crl_signer_delegator = crlSignerDelegator
    }

    /// Encodes `crl_signer_delegator` as null when absent, as the SDK's generator does.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(issuer_subject_key_id, forKey: .issuer_subject_key_id)
        try c.encode(issuer_name, forKey: .issuer_name)
        try c.encode(revoked_serial_numbers, forKey: .revoked_serial_numbers)
        try c.encode(crl_signer_cert, forKey: .crl_signer_cert)
        try c.encode(crl_signer_delegator, forKey: .crl_signer_delegator)
    }

    /// A serial magnitude as the set writes it: uppercase hex, even length, no leading zero octet.
    public static func serialHex(_ bytes: some Collection<UInt8>) -> String {
        var b = Array(bytes)
        while b.count > 1 && b[0] == 0 { b.removeFirst() }
        return b.hexString
    }
}

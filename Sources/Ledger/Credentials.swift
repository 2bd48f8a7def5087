import Foundation

/// A credential a network front end accepts: a vendor's API token or an administrator's token (only the SHA-256 of
/// the secret is stored; the secret is shown once), or a factory station's TLS client certificate (its SHA-256).
public struct CredentialRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case token, station }
    public enum Role: String, Codable, Sendable { case vendor, admin }
    /// Public handle ("tok_…"/"stn_…"), for listing and revocation; never the secret.
    public var id: String
    public var kind: Kind
    public var role: Role
    /// The vendor it acts for (vendor role only).
    public var vid: Int?
    public var label: String
    /// SHA-256 (hex) of the token, or of the station certificate's DER.
    public var secretSHA256: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, kind: Kind, role: Role, vid: Int?, label: String, secretSHA256: String, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id; self.kind = kind; self.role = role; self.vid = vid; self.label = label; self.secretSHA256 = secretSHA256
        self.createdAt = createdAt; self.revokedAt = revokedAt
    }
}

import Foundation

/// A revocation: a ledger fact with time, reason and actor, bound into the audit chain like a certificate row.
public struct RevocationRecord: Codable, Sendable, Equatable {
    public var issuerSKID: String
    public var serial: String
    /// RFC 5280 CRLReason name (never certificateHold: Matter checkers treat every listed serial as revoked).
    public var reason: String
    public var revokedAt: Date
    public var actor: String
    public init(issuerSKID: String, serial: String, reason: String, revokedAt: Date, actor: String) {
        self.issuerSKID = issuerSKID; self.serial = serial; self.reason = reason; self.revokedAt = revokedAt; self.actor = actor
    }

    /// The reasons matter-ca writes (RFC 5280 §5.3.1, without certificateHold and removeFromCRL).
    public static let reasons = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation",
                                 "privilegeWithdrawn", "aACompromise"]
}

/// What a revocation did: newly revoked, and already revoked before (a no-op for those).
public struct RevocationOutcome: Equatable, Sendable {
    public var revoked: Int
    public var alreadyRevoked: Int
    public init(revoked: Int, alreadyRevoked: Int) { self.revoked = revoked; self.alreadyRevoked = alreadyRevoked }
}

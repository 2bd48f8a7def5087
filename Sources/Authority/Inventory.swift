import Foundation
import Ledger
import MatterPKI

/// What the ledger holds, read without the token (no PIN): authorities by SKID or name, their certificates.
public struct Inventory: Sendable {
    public let ledger: any Ledger
    public init(ledger: any Ledger) { self.ledger = ledger }

    /// An authority by SKID (hex) or by name.
    public func authority(_ key: String, type: String) throws -> AuthorityRecord {
        let all = try ledger.authorities(type: type)
        if let bySKID = all.first(where: { $0.skid == key.uppercased() }) { return bySKID }
        let byName = all.filter { $0.name == key }
        guard !byName.isEmpty else { throw AuthorityError.unknownAuthority(key, type: type) }
        guard byName.count == 1 else { throw AuthorityError.ambiguousAuthority(key, byName.map(\.skid)) }
        return byName[0]
    }

    public func certificate(of authority: AuthorityRecord) throws -> ParsedCertificate {
        guard let rec = try ledger.certificates(matching: authority.skid).first(where: { $0.skid == authority.skid }) else {
            throw AuthorityError.refused("the ledger has no certificate for \(authority.skid)")
        }
        return try ParsedCertificate(der: Array(rec.der))
    }
}

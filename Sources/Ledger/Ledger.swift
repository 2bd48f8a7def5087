import Foundation
import GRDB

/// The authority's memory: SQLite (WAL) through GRDB. Everything an act changes — certificate, authority,
/// ceremony, audit entry — commits in one transaction, before anything leaves the authority.
public final class Ledger: Sendable {
    let pool: DatabasePool
    public let path: String

    public enum LedgerError: Error, CustomStringConvertible, Equatable {
        case serialCollision
        case notFound(String)
        public var description: String {
            switch self {
            case .serialCollision: return "serial number already used by this issuer"
            case .notFound(let w): return "\(w) not found in the ledger"
            }
        }
    }

    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: config)
        self.path = path
        try Migrations.migrator.migrate(pool)
    }

    // MARK: writes

    public func audit(actor: String, action: String, payload: [String: String]) throws {
        try pool.write { db in try AuditLog.append(db, actor: actor, action: action, payload: payload) }
    }

    public func beginCeremony(kind: String, actor: String, detail: [String: String]) throws -> CeremonyRecord {
        let c = CeremonyRecord(id: UUID().uuidString, kind: kind, actor: actor, status: "started", startedAt: Date(), completedAt: nil,
                               keySKID: nil, certificateSHA256: nil, detail: nil)
        try pool.write { db in
            try c.insert(db)
            try AuditLog.append(db, actor: actor, action: "\(kind).start", payload: detail.merging(["ceremony": c.id]) { a, _ in a })
        }
        return c
    }

    /// The certificate, its authority row and the ceremony's completion, with one audit entry: all or nothing.
    /// A serial already used by the issuer is `serialCollision` and changes nothing.
    public func completeCeremony(_ ceremony: CeremonyRecord, certificate: CertificateRecord, authority: AuthorityRecord,
                                 payload: [String: String]) throws {
        do {
            try pool.write { db in
                try certificate.insert(db)
                try authority.insert(db)
                var c = ceremony
                c.status = "completed"; c.completedAt = Date(); c.keySKID = authority.skid; c.certificateSHA256 = certificate.sha256
                try c.update(db)
                try AuditLog.append(db, actor: ceremony.actor, action: ceremony.kind,
                                    payload: payload.merging(["ceremony": ceremony.id, "serial": certificate.serial, "skid": authority.skid,
                                                              "certificateSHA256": certificate.sha256]) { a, _ in a })
            }
        } catch let e as DatabaseError where e.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY || e.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw LedgerError.serialCollision
        }
    }

    public func failCeremony(_ ceremony: CeremonyRecord, reason: String) throws {
        try pool.write { db in
            var c = ceremony
            c.status = "failed"; c.completedAt = Date(); c.detail = reason
            try c.update(db)
            try AuditLog.append(db, actor: ceremony.actor, action: "\(ceremony.kind).failed", payload: ["ceremony": ceremony.id, "reason": reason])
        }
    }

    // MARK: reads

    public func authorities(type: String? = nil) throws -> [AuthorityRecord] {
        try pool.read { db in
            if let type { return try AuthorityRecord.filter(Column("type") == type).order(Column("createdAt")).fetchAll(db) }
            return try AuthorityRecord.order(Column("createdAt")).fetchAll(db)
        }
    }

    public func authority(skid: String) throws -> AuthorityRecord? {
        try pool.read { db in try AuthorityRecord.fetchOne(db, key: skid.uppercased()) }
    }

    public func certificates(type: String? = nil) throws -> [CertificateRecord] {
        try pool.read { db in
            if let type { return try CertificateRecord.filter(Column("type") == type).order(Column("createdAt")).fetchAll(db) }
            return try CertificateRecord.order(Column("createdAt")).fetchAll(db)
        }
    }

    /// By serial (any issuer) or SKID.
    public func certificates(matching key: String) throws -> [CertificateRecord] {
        let k = key.uppercased()
        return try pool.read { db in
            try CertificateRecord.filter(Column("serial") == k || Column("skid") == k).fetchAll(db)
        }
    }

    public func ceremonies() throws -> [CeremonyRecord] {
        try pool.read { db in try CeremonyRecord.order(Column("startedAt")).fetchAll(db) }
    }

    public func counts() throws -> [String: Int] {
        try pool.read { db in
            var out: [String: Int] = [:]
            for t in ["authorities", "certificates", "ceremonies", "audit_log"] {
                out[t] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t)") ?? 0
            }
            return out
        }
    }

    public func auditHead() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1") ?? AuditLog.genesis }
    }

    public func verifyAudit() throws -> AuditLog.Verification {
        try pool.read { db in try AuditLog.verify(db) }
    }
}

import Crypto
import Foundation
internal import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The embedded ledger: one SQLite file (WAL) through GRDB, readable and writable by the owner only.
public final class SQLiteLedger: Ledger, LedgerEngine {
    let pool: DatabasePool
    public let path: String
    let now: @Sendable () -> Date
    public var engine: String { "sqlite" }
    public var location: String { path }

    /// Opens (creating and migrating) the ledger at `path`. `clock` stamps audit entries and batch leases.
    public init(path: String, clock: @escaping @Sendable () -> Date = { Date() }) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        // The writer keeps 16 MiB of pages (SQLite's default is 2 MiB): a batch inserts into random places of the
        // serial and key-identifier indexes, and with the default their pages were read back from the file for every
        // chunk (a 100,000-DAC batch: ~1.5 s less system CPU, ~3 % faster, 15 MiB more RSS). Readers keep the default.
        config.prepareDatabase { db in if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -16384") } }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Migrations.migrator(clock: clock).migrate(pool)
        } catch let e as DatabaseError { throw LedgerError.unavailable("\(path): \(e.message ?? "\(e.resultCode)")") }
        self.path = path
        now = clock
        // The ledger holds every certificate and the audit chain: owner only, whatever the umask or an existing
        // home said.
        for p in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: p) { chmod(p, 0o600) }
    }

    /// Maps engine errors to the typed ledger errors, per constraint.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let e as DatabaseError { throw Self.map(e) }
    }

    /// The write workflows' transaction (LedgerWrites.swift): every SQLite write excludes the other writers already.
    @discardableResult
    func writeTransaction<T>(audited: Bool, _ body: (SQLiteWriteTransaction) throws -> T) throws -> T {
        try write { db in try body(SQLiteWriteTransaction(db: db)) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let e as DatabaseError { throw Self.map(e) }
    }

    /// A read of one statement: SQLite runs a lone SELECT in its own implicit transaction, so the explicit one
    /// `read` opens (BEGIN and COMMIT around it) only adds cost on a per-request path (perf: token lookups).
    func readStatement<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.unsafeRead(body) } catch let e as DatabaseError { throw Self.map(e) }
    }

    static func map(_ e: DatabaseError) -> LedgerError {
        let m = e.message ?? ""
        guard e.resultCode == .SQLITE_CONSTRAINT else { return .unavailable(m.isEmpty ? "\(e.resultCode)" : m) }
        if let c = LedgerSchema.conflict(sqliteMessage: m) { return LedgerError(c) }
        return .constraint(m)
    }

    // MARK: reads

    public func authorities(type: String?) throws -> [AuthorityRecord] {
        // One statement (every DAC request's authorization reads the PAIs): no transaction around it.
        try readStatement { db in
            let rows = type == nil ? try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM authorities ORDER BY createdAt"))
                : try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM authorities WHERE type = ? ORDER BY createdAt"), arguments: [type])
            return rows.map(AuthorityRecord.init(row:))
        }
    }

    public func authority(skid: String) throws -> AuthorityRecord? {
        try read { db in try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM authorities WHERE skid = ?"), arguments: [skid.uppercased()]).map(AuthorityRecord.init(row:)) }
    }

    public func certificates(type: String?) throws -> [CertificateRecord] {
        try read { db in
            let rows = type == nil ? try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM certificates ORDER BY createdAt, batchItem"))
                : try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM certificates WHERE type = ? ORDER BY createdAt, batchItem"), arguments: [type])
            return rows.map(CertificateRecord.init(row:))
        }
    }

    public func certificates(matching key: String) throws -> [CertificateRecord] {
        let k = key.uppercased()
        return try read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM certificates WHERE serial = ? UNION ALL SELECT * FROM certificates WHERE skid = ? AND serial <> ?"),
                             arguments: [k, k, k]).map(CertificateRecord.init(row:))
        }
    }

    public func dacs(vid: Int?, batchID: String?) throws -> [CertificateRecord] {
        try read { db in
            var sql = "SELECT * FROM certificates WHERE type = 'dac'"
            var args: [(any DatabaseValueConvertible)?] = []
            if let vid { sql += " AND vid = ?"; args.append(vid) }
            if let batchID { sql += " AND batchID = ?"; args.append(batchID) }
            return try Row.fetchAll(db, sql: sql + " ORDER BY createdAt, batchItem", arguments: StatementArguments(args)).map(CertificateRecord.init(row:))
        }
    }

    public func forEachCertificate(_ filter: CertificateFilter, after: Int64?, limit: Int?, _ body: (Int64, CertificateRecord) throws -> Void) throws {
        try read { db in
            var sql = "SELECT rowid AS cursor, * FROM certificates WHERE rowid > ?"
            var args: [(any DatabaseValueConvertible)?] = [after ?? 0]
            if let t = filter.type { sql += " AND type = ?"; args.append(t) }
            if let v = filter.vid { sql += " AND vid = ?"; args.append(v) }
            if let b = filter.batchID { sql += " AND batchID = ?"; args.append(b) }
            sql += " ORDER BY rowid LIMIT ?"
            args.append(limit ?? -1)
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(args))
            while let row = try rows.next() { try body(row.int64("cursor"), CertificateRecord(row: row)) }
        }
    }

    public func ceremonies() throws -> [CeremonyRecord] {
        try read { db in try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM ceremonies ORDER BY startedAt")).map(CeremonyRecord.init(row:)) }
    }

    public func counts() throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for t in LedgerSchema.countedTables {
                out[t] = try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM \(t)")) ?? 0
            }
            return out
        }
    }

    // MARK: audit

    public func auditHead() throws -> AuditHead { try read { db in try SQLiteAudit.head(db) } }

    /// `auditEntriesSQL` with SQLite's placeholder, made once (it is on every cached authorization's path).
    static let auditEntriesSQLite = auditEntriesSQL.replacingOccurrences(of: "$1", with: "?")

    public func auditEntries(after seq: Int64?) throws -> (head: Int64?, beyondIssuance: Bool) {
        // One statement, on every cached authorization: no transaction around it. A range of the rowid.
        try readStatement { db in
            guard let seq else { return (try Int64.fetchOne(try db.cachedStatement(sql: auditHeadSQL)), true) }
            let row = try Row.fetchOne(try db.cachedStatement(sql: Self.auditEntriesSQLite), arguments: [seq])
            return auditEntriesAnswer(head: row?["head"], beyond: row?["beyond"], after: seq)
        }
    }

    public func auditEntries(action: String?, limit: Int) throws -> [AuditLogEntry] {
        try read { db in
            let filter = action == nil ? "" : "WHERE action = ?"
            let rows = try Row.fetchAll(db, sql: "SELECT seq, at, actor, action, payload, hash FROM audit_log \(filter) ORDER BY seq DESC LIMIT ?",
                                        arguments: StatementArguments(action.map { [$0, limit] as [any DatabaseValueConvertible] } ?? [limit]))
            return rows.reversed().map(AuditLogEntry.init(row:))
        }
    }

    public func verifyAudit(checkpointKey: P256.Signing.PublicKey?) throws -> AuditReport {
        try read { db in try SQLiteAudit.verify(db, checkpointKey: checkpointKey) }
    }

    public func addCheckpoint(_ c: AuditCheckpoint) throws {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO audit_checkpoints (seq, hash, at, keyID, signature) VALUES (?, ?, ?, ?, ?)",
                           arguments: [c.seq, c.hash, c.at, c.keyID, c.signature])
        }
    }

    public func lastCheckpoint() throws -> AuditCheckpoint? {
        try read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1")).map(AuditCheckpoint.init(row:))
        }
    }
}

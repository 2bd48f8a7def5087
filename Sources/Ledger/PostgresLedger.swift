import Crypto
import Foundation
internal import NIOCore
internal import NIOSSL
internal import PostgresNIO

/// The shared ledger: one PostgreSQL database (postgres-nio) that several `matter-ca serve` instances write at once.
/// Same semantics as `SQLiteLedger`, method by method: every write records its facts and its audit entry in one
/// transaction; the audit chain stays one linear chain because every transaction that appends to it first takes one
/// advisory transaction lock (`auditLock`) and only then reads the head.
public final class PostgresLedger: Ledger, LedgerEngine {
    let pool: PostgresPool
    let now: @Sendable () -> Date
    /// "host:port/database", for messages.
    let endpoint: String
    public let location: String
    public var engine: String { "postgres" }

    /// Serializes audit appends across every process writing this database (`pg_advisory_xact_lock`).
    static let auditLock: Int64 = 0x6D63_615F_6175_6469      // "mca_audi"
    /// Serializes schema migrations of servers starting at once (`pg_advisory_xact_lock`).
    static let migrationLock: Int64 = 0x6D63_615F_6D69_6772  // "mca_migr"

    /// Opens (migrating) the ledger at `url` (`postgres://user@host:port/database`, optionally `?sslmode=require`).
    /// The password comes from the caller (an environment variable or a file), never from the URL: a URL that carries
    /// one is refused. `clock` stamps audit entries and batch leases.
    public init(url: String, password: String?, clock: @escaping @Sendable () -> Date = { Date() }, connections: Int = 4) throws {
        let target = try PostgresTarget(url: url)
        location = target.location
        endpoint = target.endpoint
        now = clock
        var configuration = PostgresConnection.Configuration(host: target.host, port: target.port, username: target.user, password: password,
                                                             database: target.database, tls: .disable)
        switch target.sslMode {
        case "disable": break
        case "require":
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none   // libpq's "require": encrypted, the server not authenticated
            configuration.tls = .require(try NIOSSLContext(configuration: tls))
        case "verify-full":
            configuration.tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default:
            throw LedgerError.unavailable("\(location): sslmode=\(target.sslMode) is not supported (disable, require or verify-full)")
        }
        configuration.options.connectTimeout = .seconds(10)
        pool = PostgresPool(configuration: configuration, capacity: max(1, connections))
        try PostgresMigrations.migrate(self)
    }

    /// Closes the connections now (they are closed when the ledger is released, too).
    public func close() { pool.shutdown() }

    // MARK: transactions

    enum Mode {
        /// One consistent snapshot for the reads of one call.
        case read
        case write
        /// A write that appends to the audit log: the advisory lock first, then the head is read.
        case audited
    }

    /// Runs `body` in one transaction on one pooled connection: BEGIN … COMMIT, or ROLLBACK when it throws; engine
    /// errors become typed `LedgerError`s. A connection that broke before the transaction began is retried once.
    func transaction<T>(_ mode: Mode, _ body: (PostgresSession) throws -> T) throws -> T {
        for attempt in 0..<2 {
            var began = false
            do {
                return try pool.withSession { s in
                    try s.execute(mode == .read ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
                    began = true
                    do {
                        if mode == .audited { try s.execute("SELECT pg_advisory_xact_lock($1)", [.integer(Self.auditLock)]) }
                        let r = try body(s)
                        try s.execute("COMMIT")
                        return r
                    } catch {
                        _ = try? s.execute("ROLLBACK")
                        throw error
                    }
                }
            } catch let e as PSQLError {
                if attempt == 0, !began, e.code != .server { continue }
                throw map(e)
            } catch let e as PostgresDecodingError {
                throw map(e)
            }
            // Anything else (a LedgerError, the caller's own error from a streamed body) reaches the caller as it is.
        }
        preconditionFailure("unreachable")
    }

    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T { try transaction(.read, body) }
    func write<T>(_ body: (PostgresSession) throws -> T) throws -> T { try transaction(.write, body) }
    func audited<T>(_ body: (PostgresSession) throws -> T) throws -> T { try transaction(.audited, body) }
    /// The write workflows' transaction (LedgerWrites.swift): under the audit lock when the body appends to the log.
    @discardableResult
    func writeTransaction<T>(audited: Bool, _ body: (PostgresSession) throws -> T) throws -> T { try transaction(audited ? .audited : .write, body) }

    /// Engine errors to typed ledger errors, per constraint (by PostgreSQL's constraint name, read from `LedgerSchema`).
    func map(_ error: any Error) -> LedgerError {
        if let e = error as? LedgerError { return e }
        guard let e = error as? PSQLError else { return .unavailable("\(endpoint): \(error)") }
        guard e.code == .server, let info = e.serverInfo else {
            return .unavailable("\(endpoint): \(Self.describe(e))")
        }
        let state = info[.sqlState] ?? ""
        let message = info[.message] ?? "\(state)"
        if state == "23505", let c = info[.constraintName].flatMap(LedgerSchema.conflict(constraint:)) { return LedgerError(c) }
        if state.hasPrefix("23") || state == "P0001" { return .constraint(message) }
        return .unavailable("\(endpoint): \(message) (SQLSTATE \(state))")
    }

    /// What went wrong with the connection, without the password (postgres-nio's own description hides the details).
    static func describe(_ e: PSQLError) -> String {
        if let info = e.serverInfo, let m = info[.message] { return m + (info[.sqlState].map { " (SQLSTATE \($0))" } ?? "") }
        if let u = e.underlying { return "\(e.code): \(u)" }
        return "\(e.code)"
    }

    // MARK: reads

    public func ping() throws {
        _ = try read { s in try s.query("SELECT 1 AS one") }
    }

    public func authorities(type: String?) throws -> [AuthorityRecord] {
        try read { s in
            try (type == nil ? s.query(#"SELECT * FROM authorities ORDER BY "createdAt", skid"#)
                : s.query(#"SELECT * FROM authorities WHERE type = $1 ORDER BY "createdAt", skid"#, [.optional(type)])).map(AuthorityRecord.init(row:))
        }
    }

    public func authority(skid: String) throws -> AuthorityRecord? {
        try read { s in try s.one("SELECT * FROM authorities WHERE skid = $1", [.text(skid.uppercased())]).map(AuthorityRecord.init(row:)) }
    }

    public func certificates(type: String?) throws -> [CertificateRecord] {
        try read { s in
            try (type == nil ? s.query(#"SELECT * FROM certificates ORDER BY "createdAt", "batchItem" NULLS FIRST, rowid"#)
                : s.query(#"SELECT * FROM certificates WHERE type = $1 ORDER BY "createdAt", "batchItem" NULLS FIRST, rowid"#, [.optional(type)]))
                .map(CertificateRecord.init(row:))
        }
    }

    public func certificates(matching key: String) throws -> [CertificateRecord] {
        let k = LedgerValue.text(key.uppercased())
        return try read { s in
            try s.query("(SELECT * FROM certificates WHERE serial = $1 ORDER BY rowid) UNION ALL (SELECT * FROM certificates WHERE skid = $1 AND serial <> $1 ORDER BY rowid)", [k])
                .map(CertificateRecord.init(row:))
        }
    }

    public func dacs(vid: Int?, batchID: String?) throws -> [CertificateRecord] {
        try read { s in
            var sql = "SELECT * FROM certificates WHERE type = 'dac'"
            var binds: [LedgerValue] = []
            if let vid { binds.append(.optional(vid)); sql += " AND vid = $\(binds.count)" }
            if let batchID { binds.append(.text(batchID)); sql += #" AND "batchID" = $\#(binds.count)"# }
            return try s.query(sql + #" ORDER BY "createdAt", "batchItem" NULLS FIRST, rowid"#, binds).map(CertificateRecord.init(row:))
        }
    }

    public func forEachCertificate(_ filter: CertificateFilter, after: Int64?, limit: Int?, _ body: (Int64, CertificateRecord) throws -> Void) throws {
        try read { s in
            var binds: [LedgerValue] = [.integer(after ?? 0)]
            var sql = "SELECT rowid AS cursor, * FROM certificates WHERE rowid > $1"
            if let t = filter.type { binds.append(.text(t)); sql += " AND type = $\(binds.count)" }
            if let v = filter.vid { binds.append(.optional(v)); sql += " AND vid = $\(binds.count)" }
            if let b = filter.batchID { binds.append(.text(b)); sql += #" AND "batchID" = $\#(binds.count)"# }
            sql += " ORDER BY rowid"
            if let limit { binds.append(.integer(Int64(max(0, limit)))); sql += " LIMIT $\(binds.count)" }
            try s.stream(sql, binds) { row in try body(row.int64("cursor"), CertificateRecord(row: row)); return true }
        }
    }

    public func ceremonies() throws -> [CeremonyRecord] {
        try read { s in try s.query(#"SELECT * FROM ceremonies ORDER BY "startedAt", id"#).map(CeremonyRecord.init(row:)) }
    }

    public func counts() throws -> [String: Int] {
        try read { s in
            let sql = LedgerSchema.countedTables.map { "SELECT '\($0)' AS t, COUNT(*) AS n FROM \($0)" }.joined(separator: " UNION ALL ")
            var out: [String: Int] = [:]
            for row in try s.query(sql) { out[row.text("t")] = row.int("n") }
            return out
        }
    }

    // MARK: audit

    public func auditHead() throws -> AuditHead { try read { s in try PostgresAudit.head(s) } }

    public func auditEntries(after seq: Int64?) throws -> (head: Int64?, beyondIssuance: Bool) {
        try read { s in
            guard let seq else { return (try s.one(auditHeadSQL)?.optionalInt64("head"), true) }
            let row = try s.one(auditEntriesSQL, [.integer(seq)])
            return auditEntriesAnswer(head: row?.optionalInt64("head"), beyond: row?.optionalInt64("beyond"), after: seq)
        }
    }

    public func auditEntries(action: String?, limit: Int) throws -> [AuditLogEntry] {
        try read { s in
            let rows = try action == nil
                ? s.query("SELECT seq, at, actor, action, payload, hash FROM audit_log ORDER BY seq DESC LIMIT $1", [.integer(Int64(max(0, limit)))])
                : s.query("SELECT seq, at, actor, action, payload, hash FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT $2",
                          [.optional(action), .integer(Int64(max(0, limit)))])
            return rows.reversed().map(AuditLogEntry.init(row:))
        }
    }

    public func verifyAudit(checkpointKey: P256.Signing.PublicKey?) throws -> AuditReport {
        try read { s in
            try AuditVerification.verify(checkpointKey: checkpointKey) { (sql: String, body: (PostgresLedgerRow) throws -> Bool) in
                try s.stream(sql, [], body)
            }
        }
    }

    public func addCheckpoint(_ c: AuditCheckpoint) throws {
        try write { s in
            try s.execute(#"INSERT INTO audit_checkpoints (seq, hash, at, "keyID", signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"#,
                          [.integer(c.seq), .text(c.hash), .text(c.at), .text(c.keyID), .blob(c.signature)])
        }
    }

    public func lastCheckpoint() throws -> AuditCheckpoint? {
        try read { s in try s.one("SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1").map(AuditCheckpoint.init(row:)) }
    }
}

/// `postgres://user@host:port/database[?sslmode=…]`, checked: no password in it, and a location safe to print.
struct PostgresTarget {
    var user: String
    var host: String
    var port: Int
    var database: String
    var sslMode: String
    var location: String { "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" + (sslMode == "disable" ? "" : "?sslmode=\(sslMode)") }
    var endpoint: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" }

    init(url: String) throws {
        guard let c = URLComponents(string: url), let scheme = c.scheme, ["postgres", "postgresql"].contains(scheme),
              let host = c.host, !host.isEmpty else {
            throw LedgerError.unavailable("not a PostgreSQL URL (postgres://user@host:port/database): \(Self.redacted(url))")
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = c.port ?? 5432
        user = c.user ?? NSUserName()
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = path.isEmpty ? user : path
        sslMode = c.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        if c.password != nil {
            throw LedgerError.unavailable("\(location): the URL carries a password; give the password separately (from the environment or a file), never in the URL")
        }
        if let other = c.queryItems?.first(where: { $0.name != "sslmode" }) {
            throw LedgerError.unavailable("\(location): unsupported URL parameter \"\(other.name)\" (only sslmode)")
        }
    }

    /// The URL with any password replaced, for a message.
    static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url), c.password != nil else { return url }
        c.password = "***"
        return c.string ?? "(unreadable URL)"
    }
}

import Foundation

/// What the write workflows (LedgerWrites.swift) need inside one open write transaction, the same few primitives on
/// SQLite (`SQLiteWriteTransaction`, over GRDB's `Database`) and PostgreSQL (`PostgresSession`). The SQL dialect, row
/// locks and statement caching stay behind them; engine errors become `LedgerError`s where the transaction ends.
/// Table and column names are the schema's constants (`LedgerSchema`), never input.
protocol LedgerWriteTransaction {
    associatedtype ResultRow: LedgerRow

    /// The last audit entry (or the genesis head).
    func auditHead() throws -> AuditHead
    /// Rows of `table`, each in `columns` order.
    func insert(_ table: String, columns: [String], rows: [[LedgerValue]]) throws
    /// One row, replacing the row with the same primary key (`columns[0]`) if there is one.
    func upsert(_ table: String, columns: [String], values: [LedgerValue]) throws
    func update(_ table: String, set: KeyValuePairs<String, LedgerValue>, where key: KeyValuePairs<String, LedgerValue>) throws
    func delete(from table: String, where key: KeyValuePairs<String, LedgerValue>) throws
    /// `columns` (none: all) of the row of `table` with `key`. `locked`: no other writer changes it before the commit
    /// (PostgreSQL locks the row; a SQLite write transaction already excludes every other writer).
    func selectOne(_ columns: [String], from table: String, where key: KeyValuePairs<String, LedgerValue>, locked: Bool) throws -> ResultRow?
    func count(_ table: String, where key: KeyValuePairs<String, LedgerValue>) throws -> Int
    // Row by row over many certificates, so each engine runs them its fastest way (SQLite: fixed cached statements).
    /// Certificate rows bound to audit entry `seq`; their row hashes, in the same order.
    func insertCertificates(_ certificates: [CertificateRecord], auditSeq seq: Int64) throws -> [String]
    /// The certificate's status, the row locked like `selectOne`'s; nil when the ledger has no such certificate.
    func certificateStatus(issuerSKID: String, serial: String) throws -> String?
    /// The revocation row (bound to audit entry `seq`), and the certificate marked revoked.
    func recordRevocation(issuerSKID: String, serial: String, reason: String, revokedAt: String, actor: String, auditSeq seq: Int64, rowHash: String) throws
}

/// A ledger as the shared write workflows see it: its clock and its write transactions.
protocol LedgerEngine: Ledger {
    associatedtype Transaction: LedgerWriteTransaction
    var now: @Sendable () -> Date { get }
    /// Runs `body` in one write transaction (COMMIT, or ROLLBACK when it throws), engine errors mapped to `LedgerError`s.
    /// `audited`: the body appends to the audit log, so PostgreSQL takes its audit lock before the head is read.
    @discardableResult
    func writeTransaction<T>(audited: Bool, _ body: (Transaction) throws -> T) throws -> T
}

private let auditLogColumns = ["seq", "at", "actor", "action", "payload", "payloadSHA256", "prevHash", "hash", "format"]

/// The audit log, appended inside the caller's write transaction so that an entry commits with the facts it records.
/// The transaction excludes every other appender (SQLite's write lock, PostgreSQL's audit lock), so the head it reads
/// is the head the entry follows.
extension LedgerWriteTransaction {
    /// Appends the entry after `head` (read here unless the caller read it already); returns its seq.
    @discardableResult
    func appendAudit(at: Date, actor: String, action: String, payload: [String: String], after head: AuditHead? = nil) throws -> Int64 {
        let last = try head ?? auditHead()
        let seq = last.seq + 1
        let body = AuditChain.payloadText(payload)
        let time = LedgerTime.storage(at)
        let digest = AuditChain.sha256(body)
        let hash = AuditChain.hash(format: 2, prev: last.hash, seq: seq, at: time, actor: actor, action: action, payloadSHA256: digest)
        try insert("audit_log", columns: auditLogColumns, rows: [[.integer(seq), .text(time), .text(actor), .text(action), .text(body), .text(digest),
                                                                 .text(last.hash), .text(hash), .integer(2)]])
        return seq
    }

    /// Certificate rows bound to the next audit entry, then that entry, whose payload carries the count and digest of
    /// the rows in (issuer, serial) order, the order `verify` reads them in. A row's status is not part of its hash: a
    /// status is "issued" unless a later fact (a revocation, bound to its own entry) says otherwise.
    func appendCertificates(_ certificates: [CertificateRecord], at: Date, actor: String, action: String, payload: [String: String]) throws {
        let head = try auditHead()
        for c in certificates { precondition(c.status == "issued", "a certificate is recorded as issued") }
        let rowHashes = try insertCertificates(certificates, auditSeq: head.seq + 1)
        var hashes = zip(certificates, rowHashes).map { c, h in (key: "\(c.issuerSKID)\u{0}\(c.serial)", row: h) }
        hashes.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var rows = AuditChain.Digest()
        for h in hashes { rows.add(h.row) }
        var p = payload
        p[AuditChain.rowsCount] = String(rows.count); p[AuditChain.rowsDigest] = rows.finalize()
        try appendAudit(at: at, actor: actor, action: action, payload: p, after: head)
    }
}

import Foundation

/// PostgreSQL's statements for the write workflows. The audit head is read inside an `audited` transaction (which
/// holds the advisory lock, so it is the head the next entry follows, whatever other processes write).
enum PostgresAudit {
    static func head(_ s: PostgresSession) throws -> AuditHead {
        guard let row = try s.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") else {
            return AuditHead(seq: 0, hash: AuditChain.genesis)
        }
        return AuditHead(seq: row.int64("seq"), hash: row.text("hash"))
    }

    /// `INSERT INTO table (columns) VALUES (…), (…)`, as many rows per statement as the protocol's 65,535 parameters allow.
    static func insert(_ s: PostgresSession, table: String, columns: [String], rows: [[LedgerValue]]) throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, min(1000, 65_535 / columns.count))
        let head = "INSERT INTO \(quoted(table)) (\(columns.map(quoted).joined(separator: ", "))) VALUES "
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perStatement)
            var sql = head
            var binds: [LedgerValue] = []
            binds.reserveCapacity((end - start) * columns.count)
            for i in start..<end {
                if i > start { sql += ", " }
                sql += "("
                for j in 0..<columns.count {
                    binds.append(rows[i][j])
                    sql += (j == 0 ? "$" : ", $") + String(binds.count)
                }
                sql += ")"
            }
            try s.execute(sql, binds)
            start = end
        }
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// The write workflows' primitives on one PostgreSQL session, inside `PostgresLedger.transaction`.
extension PostgresSession: LedgerWriteTransaction {
    func auditHead() throws -> AuditHead { try PostgresAudit.head(self) }

    func insert(_ table: String, columns: [String], rows: [[LedgerValue]]) throws {
        try PostgresAudit.insert(self, table: table, columns: columns, rows: rows)
    }

    func upsert(_ table: String, columns: [String], values: [LedgerValue]) throws {
        let q = columns.map(PostgresAudit.quoted)
        let updates = q.dropFirst().map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        try execute("""
            INSERT INTO \(PostgresAudit.quoted(table)) (\(q.joined(separator: ", "))) VALUES (\(Self.placeholders(1...columns.count)))
            ON CONFLICT (\(q[0])) DO UPDATE SET \(updates)
            """, values)
    }

    func update(_ table: String, set: KeyValuePairs<String, LedgerValue>, where key: KeyValuePairs<String, LedgerValue>) throws {
        try execute("UPDATE \(PostgresAudit.quoted(table)) SET \(Self.terms(set, from: 1, ", ")) WHERE \(Self.terms(key, from: set.count + 1, " AND "))",
                    set.map(\.value) + key.map(\.value))
    }

    func delete(from table: String, where key: KeyValuePairs<String, LedgerValue>) throws {
        try execute("DELETE FROM \(PostgresAudit.quoted(table)) WHERE \(Self.terms(key, from: 1, " AND "))", key.map(\.value))
    }

    func selectOne(_ columns: [String], from table: String, where key: KeyValuePairs<String, LedgerValue>, locked: Bool) throws -> PostgresLedgerRow? {
        let what = columns.isEmpty ? "*" : columns.map(PostgresAudit.quoted).joined(separator: ", ")
        return try one("SELECT \(what) FROM \(PostgresAudit.quoted(table)) WHERE \(Self.terms(key, from: 1, " AND "))\(locked ? " FOR UPDATE" : "")",
                       key.map(\.value))
    }

    func count(_ table: String, where key: KeyValuePairs<String, LedgerValue>) throws -> Int {
        try one("SELECT COUNT(*) AS n FROM \(PostgresAudit.quoted(table)) WHERE \(Self.terms(key, from: 1, " AND "))", key.map(\.value))?.int("n") ?? 0
    }

    /// Multi-row INSERTs, not one round trip per row.
    func insertCertificates(_ certificates: [CertificateRecord], auditSeq seq: Int64) throws -> [String] {
        var rows: [[LedgerValue]] = []
        var hashes: [String] = []
        rows.reserveCapacity(certificates.count)
        hashes.reserveCapacity(certificates.count)
        for c in certificates {
            let (values, h) = c.insertValues(auditSeq: seq)
            rows.append(values)
            hashes.append(h)
        }
        try insert("certificates", columns: CertificateRecord.insertColumns, rows: rows)
        return hashes
    }

    func certificateStatus(issuerSKID: String, serial: String) throws -> String? {
        try one(#"SELECT status FROM certificates WHERE "issuerSKID" = $1 AND serial = $2 FOR UPDATE"#, [.text(issuerSKID), .text(serial)])?.text("status")
    }

    func recordRevocation(issuerSKID: String, serial: String, reason: String, revokedAt: String, actor: String, auditSeq seq: Int64, rowHash: String) throws {
        let key: [LedgerValue] = [.text(issuerSKID), .text(serial)]
        try execute(#"""
            INSERT INTO revocations ("issuerSKID", serial, reason, "revokedAt", actor, "auditSeq", "rowHash") VALUES ($1, $2, $3, $4, $5, $6, $7)
            """#, key + [.text(reason), .text(revokedAt), .text(actor), .integer(seq), .text(rowHash)])
        try execute(#"UPDATE certificates SET status = 'revoked' WHERE "issuerSKID" = $1 AND serial = $2"#, key)
    }

    /// "$1, $2, …" for `numbers`.
    private static func placeholders(_ numbers: ClosedRange<Int>) -> String { numbers.map { "$\($0)" }.joined(separator: ", ") }

    /// `"a" = $n` terms joined by `separator`, numbered from `first`.
    private static func terms(_ pairs: KeyValuePairs<String, LedgerValue>, from first: Int, _ separator: String) -> String {
        pairs.enumerated().map { "\(PostgresAudit.quoted($0.element.key)) = $\(first + $0.offset)" }.joined(separator: separator)
    }
}

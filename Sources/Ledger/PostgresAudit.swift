import Foundation

/// The audit log in PostgreSQL: appended inside the caller's `audited` transaction (which holds the advisory lock,
/// so the head read here is the head this entry follows, whatever other processes write), committed with the facts.
enum PostgresAudit {
    static func head(_ s: PostgresSession) throws -> AuditHead {
        guard let row = try s.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") else {
            return AuditHead(seq: 0, hash: AuditChain.genesis)
        }
        return AuditHead(seq: row.int64("seq"), hash: row.text("hash"))
    }

    @discardableResult
    static func append(_ s: PostgresSession, at: Date, actor: String, action: String, payload: [String: String], after head: AuditHead? = nil) throws -> Int64 {
        let last = try head ?? Self.head(s)
        let seq = last.seq + 1
        let body = AuditChain.payloadText(payload)
        let time = LedgerTime.storage(at)
        let digest = AuditChain.sha256(body)
        let hash = AuditChain.hash(format: 2, prev: last.hash, seq: seq, at: time, actor: actor, action: action, payloadSHA256: digest)
        try s.execute(#"""
            INSERT INTO audit_log (seq, at, actor, action, payload, "payloadSHA256", "prevHash", hash, format) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 2)
            """#, [.integer(seq), .text(time), .text(actor), .text(action), .text(body), .text(digest), .text(last.hash), .text(hash)])
        return seq
    }

    static let certificateColumns = ["issuerSKID", "serial", "type", "subject", "skid", "vid", "pid", "notBefore", "notAfter", "der", "sha256",
                                     "status", "batchID", "batchItem", "createdAt", "auditSeq", "rowHash"]

    /// Certificate rows bound to the next audit entry (multi-row INSERTs, not one round trip per row), then that entry,
    /// whose payload carries the count and digest of the rows in (issuer, serial) order — as `SQLiteAudit` does.
    static func appendCertificates(_ s: PostgresSession, _ certificates: [CertificateRecord], at: Date, actor: String, action: String,
                                   payload: [String: String]) throws {
        let last = try head(s)
        let seq = last.seq + 1
        var hashes: [(key: String, row: String)] = []
        hashes.reserveCapacity(certificates.count)
        var rows: [[LedgerValue]] = []
        rows.reserveCapacity(certificates.count)
        for c in certificates {
            precondition(c.status == "issued", "a certificate is recorded as issued")
            let (values, h) = c.insertValues(auditSeq: seq)
            rows.append(values)
            hashes.append(("\(c.issuerSKID)\u{0}\(c.serial)", h))
        }
        try insert(s, table: "certificates", columns: certificateColumns, rows: rows)
        hashes.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var digest = AuditChain.Digest()
        for h in hashes { digest.add(h.row) }
        var p = payload
        p[AuditChain.rowsCount] = String(digest.count); p[AuditChain.rowsDigest] = digest.finalize()
        // The head read above still holds: this transaction has held the audit lock since it began.
        let appended = try append(s, at: at, actor: actor, action: action, payload: p, after: last)
        precondition(appended == seq, "the audit head moved inside one audited transaction")
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

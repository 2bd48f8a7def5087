import Crypto
import Foundation
internal import GRDB

/// The audit log in SQLite: appended inside the caller's write transaction, so an entry commits with the facts it
/// records, and walked by `verify` together with the certificate rows it binds and the signed checkpoints.
enum SQLiteAudit {
    static func head(_ db: Database) throws -> AuditHead {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") else {
            return AuditHead(seq: 0, hash: AuditChain.genesis)
        }
        return AuditHead(seq: row["seq"], hash: row["hash"])
    }

    @discardableResult
    static func append(_ db: Database, at: Date, actor: String, action: String, payload: [String: String]) throws -> Int64 {
        let last = try head(db)
        let seq = last.seq + 1
        let body = AuditChain.payloadText(payload)
        let time = LedgerTime.storage(at)
        let digest = AuditChain.sha256(body)
        let hash = AuditChain.hash(format: 2, prev: last.hash, seq: seq, at: time, actor: actor, action: action, payloadSHA256: digest)
        try db.execute(sql: """
            INSERT INTO audit_log (seq, at, actor, action, payload, payloadSHA256, prevHash, hash, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2)
            """, arguments: [seq, time, actor, action, body, digest, last.hash, hash])
        return seq
    }

    /// Inserts certificate rows bound to the next audit entry, then that entry, whose payload carries the count and
    /// digest of the rows (in (issuer, serial) order, the order `verify` reads them in). A row's status is not part
    /// of its hash: a status is "issued" unless a later fact (a revocation, bound to its own entry) says otherwise.
    static func appendCertificates(_ db: Database, _ certificates: [CertificateRecord], at: Date, actor: String, action: String,
                                   payload: [String: String]) throws {
        let seq = try head(db).seq + 1
        var hashes: [(key: String, row: String)] = []
        hashes.reserveCapacity(certificates.count)
        for c in certificates {
            precondition(c.status == "issued", "a certificate is recorded as issued")
            hashes.append(("\(c.issuerSKID)\u{0}\(c.serial)", try c.insert(db, auditSeq: seq)))
        }
        hashes.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var rows = AuditChain.Digest()
        for h in hashes { rows.add(h.row) }
        var p = payload
        p[AuditChain.rowsCount] = String(rows.count); p[AuditChain.rowsDigest] = rows.finalize()
        let appended = try append(db, at: at, actor: actor, action: action, payload: p)
        precondition(appended == seq, "the audit head moved inside one write transaction")
    }

    /// The engine-neutral walk (`AuditVerification`) over this database's rows, in one read transaction.
    static func verify(_ db: Database, checkpointKey: P256.Signing.PublicKey?) throws -> AuditReport {
        try AuditVerification.verify(checkpointKey: checkpointKey) { (sql: String, body: (Row) throws -> Bool) in
            let rows = try Row.fetchCursor(db, sql: sql)
            while let row = try rows.next() { guard try body(row) else { return } }
        }
    }
}

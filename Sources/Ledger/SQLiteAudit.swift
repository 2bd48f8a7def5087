import Crypto
import Foundation
internal import GRDB

/// The audit log in SQLite: its head (appends are engine-neutral, `LedgerWriteTransaction.appendAudit`), and the walk
/// of `verify` over the chain, the certificate rows it binds and the signed checkpoints.
enum SQLiteAudit {
    static func head(_ db: Database) throws -> AuditHead {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") else {
            return AuditHead(seq: 0, hash: AuditChain.genesis)
        }
        return AuditHead(seq: row["seq"], hash: row["hash"])
    }

    /// The engine-neutral walk (`AuditVerification`) over this database's rows, in one read transaction.
    static func verify(_ db: Database, checkpointKey: P256.Signing.PublicKey?) throws -> AuditReport {
        try AuditVerification.verify(checkpointKey: checkpointKey) { (sql: String, body: (Row) throws -> Bool) in
            let rows = try Row.fetchCursor(db, sql: sql)
            while let row = try rows.next() { guard try body(row) else { return } }
        }
    }
}

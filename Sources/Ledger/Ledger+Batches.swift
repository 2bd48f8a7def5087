import Foundation
import GRDB

extension Ledger {
    public func batch(idempotencyKey: String) throws -> BatchRecord? {
        try pool.read { db in try BatchRecord.filter(Column("idempotencyKey") == idempotencyKey).fetchOne(db) }
    }

    public func batch(id: String) throws -> BatchRecord? {
        try pool.read { db in try BatchRecord.fetchOne(db, key: id) }
    }

    public func createBatch(_ b: BatchRecord, actor: String) throws {
        try pool.write { db in
            try b.insert(db)
            try AuditLog.append(db, actor: actor, action: "dac.batch.start", payload: [
                "batch": b.id, "vid": String(format: "%04X", b.vid), "pid": String(format: "%04X", b.pid), "pai": b.paiSKID,
                "kind": b.kind, "count": String(b.count), "request": b.requestSHA256])
        }
    }

    /// One chunk of a batch: every certificate and one audit entry, in one transaction. A serial or item already
    /// taken rolls the whole chunk back (`serialCollision`), so the caller re-issues it.
    public func commitChunk(_ certificates: [CertificateRecord], batchID: String, actor: String) throws {
        guard let first = certificates.first, let last = certificates.last else { return }
        do {
            try pool.write { db in
                for c in certificates { try c.insert(db) }
                try AuditLog.append(db, actor: actor, action: "dac.batch.issue", payload: [
                    "batch": batchID, "count": String(certificates.count), "items": "\(first.batchItem ?? -1)…\(last.batchItem ?? -1)",
                    "sha256": AuditLog.sha256(certificates.map(\.sha256).joined())])
            }
        } catch let e as DatabaseError where e.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY || e.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw LedgerError.serialCollision
        }
    }

    public func completeBatch(_ id: String, actor: String) throws {
        try pool.write { db in
            guard var b = try BatchRecord.fetchOne(db, key: id) else { throw LedgerError.notFound("batch \(id)") }
            guard b.status != "completed" else { return }
            b.status = "completed"; b.completedAt = Date()
            try b.update(db)
            let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM certificates WHERE batchID = ?", arguments: [id]) ?? 0
            try AuditLog.append(db, actor: actor, action: "dac.batch.complete", payload: ["batch": id, "count": String(n)])
        }
    }

    /// The batch's certificates in item order.
    public func batchCertificates(_ batchID: String) throws -> [CertificateRecord] {
        try pool.read { db in
            try CertificateRecord.filter(Column("batchID") == batchID).order(Column("batchItem")).fetchAll(db)
        }
    }

    public func batchItemsIssued(_ batchID: String) throws -> Set<Int> {
        try pool.read { db in Set(try Int.fetchAll(db, sql: "SELECT batchItem FROM certificates WHERE batchID = ?", arguments: [batchID])) }
    }

    /// DACs, optionally of one vendor and one batch.
    public func dacs(vid: Int?, batchID: String?) throws -> [CertificateRecord] {
        try pool.read { db in
            var q = CertificateRecord.filter(Column("type") == "dac")
            if let vid { q = q.filter(Column("vid") == vid) }
            if let batchID { q = q.filter(Column("batchID") == batchID) }
            return try q.order(Column("createdAt"), Column("batchItem")).fetchAll(db)
        }
    }
}

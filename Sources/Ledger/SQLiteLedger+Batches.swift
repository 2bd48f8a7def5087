import Foundation
internal import GRDB

extension SQLiteLedger {
    public func batch(idempotencyKey: String) throws -> BatchRecord? {
        try read { db in try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM batches WHERE idempotencyKey = ?"), arguments: [idempotencyKey]).map(BatchRecord.init(row:)) }
    }

    public func batch(id: String) throws -> BatchRecord? {
        try read { db in try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM batches WHERE id = ?"), arguments: [id]).map(BatchRecord.init(row:)) }
    }

    public func batches() throws -> [BatchRecord] {
        try read { db in try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM batches ORDER BY createdAt")).map(BatchRecord.init(row:)) }
    }

    public func createBatch(_ b: BatchRecord, actor: String) throws {
        let at = now()
        do {
            try write { db in
                try db.insert("batches", BatchRecord.columns, b.values)
                try SQLiteAudit.append(db, at: at, actor: actor, action: "dac.batch.start", payload: b.startPayload)
            }
        } catch LedgerError.idempotencyKeyTaken { throw LedgerError.idempotencyKeyTaken(b.idempotencyKey) }
    }

    public func claimBatch(id: String, owner: String, until: Date, ownerIsGone: (String) -> Bool) throws {
        let at = now()
        try write { db in
            guard let b = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM batches WHERE id = ?"), arguments: [id]).map(BatchRecord.init(row:)) else {
                throw LedgerError.notFound("batch \(id)")
            }
            try b.checkLease(owner: owner, at: at, ownerIsGone: ownerIsGone)
            try db.execute(sql: "UPDATE batches SET leaseOwner = ?, leaseUntil = ? WHERE id = ?", arguments: [owner, LedgerTime.storage(until), id])
        }
    }

    public func commitChunk(_ certificates: [CertificateRecord], batchID: String, actor: String) throws {
        guard !certificates.isEmpty else { return }
        let at = now()
        do {
            try write { db in
                try SQLiteAudit.appendCertificates(db, certificates, at: at, actor: actor, action: "dac.batch.issue",
                                                   payload: BatchRecord.chunkPayload(certificates, batchID: batchID))
            }
        } catch LedgerError.batchItemClash { throw LedgerError.batchItemClash(batchID: batchID) }
    }

    public func completeBatch(_ id: String, actor: String) throws {
        let at = now()
        try write { db in
            guard let status = try String.fetchOne(try db.cachedStatement(sql: "SELECT status FROM batches WHERE id = ?"), arguments: [id]) else {
                throw LedgerError.notFound("batch \(id)")
            }
            guard status != "completed" else { return }
            try db.execute(sql: "UPDATE batches SET status = 'completed', completedAt = ?, leaseOwner = NULL, leaseUntil = NULL WHERE id = ?",
                           arguments: [LedgerTime.storage(at), id])
            let n = try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM certificates WHERE batchID = ?"), arguments: [id]) ?? 0
            try SQLiteAudit.append(db, at: at, actor: actor, action: "dac.batch.complete", payload: ["batch": id, "count": String(n)])
        }
    }

    public func batchCertificates(_ batchID: String) throws -> [CertificateRecord] {
        try read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM certificates WHERE batchID = ? ORDER BY batchItem"), arguments: [batchID]).map(CertificateRecord.init(row:))
        }
    }

    public func claimableBatches(now: Date) throws -> [BatchRecord] {
        try read { db in
            try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT * FROM batches WHERE status <> 'completed' AND (leaseUntil IS NULL OR leaseUntil <= ?) ORDER BY createdAt, id
                """), arguments: [LedgerTime.storage(now)]).map(BatchRecord.init(row:))
        }
    }

    public func batchItemsIssued(_ batchID: String) throws -> Set<Int> {
        try read { db in Set(try Int.fetchAll(try db.cachedStatement(sql: "SELECT batchItem FROM certificates WHERE batchID = ?"), arguments: [batchID])) }
    }
}

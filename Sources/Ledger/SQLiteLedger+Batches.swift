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
                try b.insert(db)
                try SQLiteAudit.append(db, at: at, actor: actor, action: "dac.batch.start", payload: [
                    "batch": b.id, "vid": String(format: "%04X", b.vid), "pid": String(format: "%04X", b.pid), "pai": b.paiSKID,
                    "kind": b.kind, "count": String(b.count), "request": b.requestSHA256, "idempotencyKey": b.idempotencyKey])
            }
        } catch LedgerError.idempotencyKeyTaken { throw LedgerError.idempotencyKeyTaken(b.idempotencyKey) }
    }

    public func claimBatch(id: String, owner: String, until: Date, ownerIsGone: (String) -> Bool) throws {
        let at = now()
        try write { db in
            guard let b = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM batches WHERE id = ?"), arguments: [id]).map(BatchRecord.init(row:)) else {
                throw LedgerError.notFound("batch \(id)")
            }
            if let holder = b.leaseOwner, holder != owner, let end = b.leaseUntil, end > at, !ownerIsGone(holder) {
                throw LedgerError.batchLeased(batchID: id, owner: holder, until: end)
            }
            try db.execute(sql: "UPDATE batches SET leaseOwner = ?, leaseUntil = ? WHERE id = ?", arguments: [owner, LedgerTime.storage(until), id])
        }
    }

    public func commitChunk(_ certificates: [CertificateRecord], batchID: String, actor: String) throws {
        guard let first = certificates.first, let last = certificates.last else { return }
        let at = now()
        do {
            try write { db in
                try SQLiteAudit.appendCertificates(db, certificates, at: at, actor: actor, action: "dac.batch.issue", payload: [
                    "batch": batchID, "count": String(certificates.count), "items": "\(first.batchItem ?? -1)…\(last.batchItem ?? -1)"])
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

    public func batchItemsIssued(_ batchID: String) throws -> Set<Int> {
        try read { db in Set(try Int.fetchAll(try db.cachedStatement(sql: "SELECT batchItem FROM certificates WHERE batchID = ?"), arguments: [batchID])) }
    }
}

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

    public func forEachBatchCertificate(_ batchID: String, _ body: (CertificateRecord) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(try db.cachedStatement(sql: "SELECT * FROM certificates WHERE batchID = ? ORDER BY batchItem"), arguments: [batchID])
            while let row = try rows.next() { try body(CertificateRecord(row: row)) }
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

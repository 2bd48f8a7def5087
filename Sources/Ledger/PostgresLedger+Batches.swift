import Foundation

extension PostgresLedger {
    public func batch(idempotencyKey: String) throws -> BatchRecord? {
        try read { s in try s.one(#"SELECT * FROM batches WHERE "idempotencyKey" = $1"#, [.text(idempotencyKey)]).map(BatchRecord.init(row:)) }
    }

    public func batch(id: String) throws -> BatchRecord? {
        try read { s in try s.one("SELECT * FROM batches WHERE id = $1", [.text(id)]).map(BatchRecord.init(row:)) }
    }

    public func batches() throws -> [BatchRecord] {
        try read { s in try s.query(#"SELECT * FROM batches ORDER BY "createdAt", id"#).map(BatchRecord.init(row:)) }
    }

    public func claimableBatches(now: Date) throws -> [BatchRecord] {
        try read { s in
            try s.query(#"""
                SELECT * FROM batches WHERE status <> 'completed' AND ("leaseUntil" IS NULL OR "leaseUntil" <= $1) ORDER BY "createdAt", id
                """#, [.time(now)]).map(BatchRecord.init(row:))
        }
    }

    public func forEachBatchCertificate(_ batchID: String, _ body: (CertificateRecord) throws -> Void) throws {
        try read { s in
            try s.stream(#"SELECT * FROM certificates WHERE "batchID" = $1 ORDER BY "batchItem""#, [.text(batchID)]) { row in
                try body(CertificateRecord(row: row)); return true
            }
        }
    }

    public func batchItemsIssued(_ batchID: String) throws -> Set<Int> {
        try read { s in Set(try s.query(#"SELECT "batchItem" FROM certificates WHERE "batchID" = $1"#, [.text(batchID)]).compactMap { $0.optionalInt("batchItem") }) }
    }
}

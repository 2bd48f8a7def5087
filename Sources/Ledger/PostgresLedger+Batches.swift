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

    /// The key is claimed by the unique constraint: of two processes creating a batch with one key, the second gets
    /// `idempotencyKeyTaken` (its transaction rolled back: no batch, no audit entry).
    public func createBatch(_ b: BatchRecord, actor: String) throws {
        let at = now()
        do {
            try audited { s in
                try PostgresAudit.insert(s, table: "batches", columns: BatchRecord.columns, rows: [b.values])
                try PostgresAudit.append(s, at: at, actor: actor, action: "dac.batch.start", payload: b.startPayload)
            }
        } catch LedgerError.idempotencyKeyTaken { throw LedgerError.idempotencyKeyTaken(b.idempotencyKey) }
    }

    /// The batch row is locked (`FOR UPDATE`) while the lease is checked and taken: of two claimers, the second sees
    /// the first one's lease.
    public func claimBatch(id: String, owner: String, until: Date, ownerIsGone: (String) -> Bool) throws {
        let at = now()
        try write { s in
            guard let b = try s.one("SELECT * FROM batches WHERE id = $1 FOR UPDATE", [.text(id)]).map(BatchRecord.init(row:)) else {
                throw LedgerError.notFound("batch \(id)")
            }
            try b.checkLease(owner: owner, at: at, ownerIsGone: ownerIsGone)
            try s.execute(#"UPDATE batches SET "leaseOwner" = $1, "leaseUntil" = $2 WHERE id = $3"#, [.text(owner), .time(until), .text(id)])
        }
    }

    public func commitChunk(_ certificates: [CertificateRecord], batchID: String, actor: String) throws {
        guard !certificates.isEmpty else { return }
        let at = now()
        do {
            try audited { s in
                try PostgresAudit.appendCertificates(s, certificates, at: at, actor: actor, action: "dac.batch.issue",
                                                     payload: BatchRecord.chunkPayload(certificates, batchID: batchID))
            }
        } catch LedgerError.batchItemClash { throw LedgerError.batchItemClash(batchID: batchID) }
    }

    public func completeBatch(_ id: String, actor: String) throws {
        let at = now()
        try audited { s in
            guard let status = try s.one("SELECT status FROM batches WHERE id = $1 FOR UPDATE", [.text(id)])?.text("status") else {
                throw LedgerError.notFound("batch \(id)")
            }
            guard status != "completed" else { return }
            try s.execute(#"UPDATE batches SET status = 'completed', "completedAt" = $1, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE id = $2"#,
                          [.time(at), .text(id)])
            let n = try s.one(#"SELECT COUNT(*) AS n FROM certificates WHERE "batchID" = $1"#, [.text(id)])?.int("n") ?? 0
            try PostgresAudit.append(s, at: at, actor: actor, action: "dac.batch.complete", payload: ["batch": id, "count": String(n)])
        }
    }

    public func batchCertificates(_ batchID: String) throws -> [CertificateRecord] {
        try read { s in try s.query(#"SELECT * FROM certificates WHERE "batchID" = $1 ORDER BY "batchItem""#, [.text(batchID)]).map(CertificateRecord.init(row:)) }
    }

    public func batchItemsIssued(_ batchID: String) throws -> Set<Int> {
        try read { s in Set(try s.query(#"SELECT "batchItem" FROM certificates WHERE "batchID" = $1"#, [.text(batchID)]).compactMap { $0.optionalInt("batchItem") }) }
    }
}

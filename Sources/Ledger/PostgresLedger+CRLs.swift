import Foundation

extension PostgresLedger {
    public func lastCRLNumber(signerSKID: String) throws -> Int64? {
        try read { s in try s.one(#"SELECT MAX(number) AS n FROM crls WHERE "signerSKID" = $1"#, [.text(signerSKID)])?.optionalInt64("n") }
    }

    /// The CRLs of one publication with one audit entry each, in one transaction; a number a signer used before is
    /// refused by the unique index (two publishers racing), and nothing of the run is recorded.
    public func recordCRLs(_ crls: [CRLRecord], actor: String) throws {
        let at = now()
        try audited { s in
            for c in crls {
                let seq = try PostgresAudit.append(s, at: at, actor: actor, action: "crl.publish", payload: c.auditPayload)
                try PostgresAudit.insert(s, table: "crls", columns: CRLRecord.columns, rows: [c.values(auditSeq: seq)])
            }
        }
    }

    /// The CRLs of the latest publication that covered each CA.
    public func currentCRLs() throws -> [CRLRecord] {
        try read { s in
            try s.query(#"""
                SELECT c.* FROM crls c JOIN (SELECT "caSKID", MAX(id) AS last FROM crls GROUP BY "caSKID") l ON l."caSKID" = c."caSKID"
                WHERE c.publication = (SELECT publication FROM crls WHERE id = l.last) ORDER BY c."caSKID", c.partition NULLS FIRST
                """#).map(CRLRecord.init(row:))
        }
    }
}

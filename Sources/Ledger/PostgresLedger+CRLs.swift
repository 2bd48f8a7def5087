import Foundation

extension PostgresLedger {
    public func lastCRLNumber(signerSKID: String) throws -> Int64? {
        try read { s in try s.one(#"SELECT MAX(number) AS n FROM crls WHERE "signerSKID" = $1"#, [.text(signerSKID)])?.optionalInt64("n") }
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

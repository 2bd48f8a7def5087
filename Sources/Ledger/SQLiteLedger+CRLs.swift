import Foundation
internal import GRDB

extension SQLiteLedger {
    public func lastCRLNumber(signerSKID: String) throws -> Int64? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(number) FROM crls WHERE signerSKID = ?", arguments: [signerSKID]) }
    }

    /// The CRLs of the latest publication that covered each CA.
    public func currentCRLs() throws -> [CRLRecord] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.* FROM crls c JOIN (SELECT caSKID, MAX(id) AS last FROM crls GROUP BY caSKID) l ON l.caSKID = c.caSKID
                WHERE c.publication = (SELECT publication FROM crls WHERE id = l.last) ORDER BY c.caSKID, c.partition
                """)
            return rows.map(CRLRecord.init(row:))
        }
    }

    public func serials(issuedBy issuerSKID: String) throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT serial FROM certificates WHERE issuerSKID = ? ORDER BY serial", arguments: [issuerSKID]) }
    }
}

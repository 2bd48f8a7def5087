import Foundation
internal import GRDB

extension SQLiteLedger {
    public func forEachRevocation(issuerSKID: String, _ body: (RevocationRecord) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(try db.cachedStatement(sql: "SELECT * FROM revocations WHERE issuerSKID = ? ORDER BY serial"), arguments: [issuerSKID])
            while let row = try rows.next() { try body(RevocationRecord(row: row)) }
        }
    }

    public func revocation(issuerSKID: String, serial: String) throws -> RevocationRecord? {
        // One statement, on every DAC request's authorization: no transaction around it.
        try readStatement { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM revocations WHERE issuerSKID = ? AND serial = ?"), arguments: [issuerSKID, serial])
                .map(RevocationRecord.init(row:))
        }
    }
}

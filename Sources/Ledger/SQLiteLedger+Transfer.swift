import Foundation
internal import GRDB

extension SQLiteLedger {
    public func ping() throws {
        _ = try read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func exportRows(_ body: (_ table: String, _ row: [String: LedgerValue]) throws -> Void) throws {
        try read { db in
            for t in LedgerSchema.tables {
                let names = t.columnNames
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT \(names.map(PostgresAudit.quoted).joined(separator: ", ")) FROM \(t.name) ORDER BY \(LedgerTransfer.order(t, recordingOrder: "rowid"))
                    """)
                while let row = try rows.next() {
                    var out: [String: LedgerValue] = [:]
                    out.reserveCapacity(names.count)
                    for (i, n) in names.enumerated() { out[n] = LedgerValue(row[i] as DatabaseValue) }
                    try body(t.name, out)
                }
            }
        }
    }

    /// In one write transaction, foreign keys checked at its end (authorities refer to authorities).
    public func importRows(from source: any Ledger) throws {
        try write { db in
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            let counts = try LedgerSchema.tables.map { t in (t.name, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t.name)") ?? 0) }
            guard counts.allSatisfy({ $0.1 == 0 }) else { throw LedgerTransfer.notEmpty(path, counts) }
            var buffer = ImportBuffer { t, rows in
                try db.insert(t.name, t.columnNames.map(PostgresAudit.quoted), rows: rows)
            }
            try source.exportRows { table, row in try buffer.add(table, row) }
            try buffer.finish()
        }
    }
}

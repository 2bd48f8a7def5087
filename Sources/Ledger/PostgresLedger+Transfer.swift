import Foundation

extension PostgresLedger {
    public func exportRows(_ body: (_ table: String, _ row: [String: LedgerValue]) throws -> Void) throws {
        try read { s in
            for t in LedgerSchema.tables {
                let names = t.columnNames
                let sql = "SELECT \(names.map(PostgresAudit.quoted).joined(separator: ", ")) FROM \(PostgresAudit.quoted(t.name)) ORDER BY \(LedgerTransfer.order(t, recordingOrder: "rowid"))"
                try s.stream(sql) { row in
                    var out: [String: LedgerValue] = [:]
                    out.reserveCapacity(names.count)
                    for (i, n) in names.enumerated() { out[n] = row.values[i] }
                    try body(t.name, out)
                    return true
                }
            }
        }
    }

    /// In one transaction that holds the audit lock (no other process appends meanwhile), with the foreign keys
    /// deferred to the commit (authorities refer to authorities); the identity of `crls.id` continues after the copy.
    public func importRows(from source: any Ledger) throws {
        try audited { s in
            try s.execute("SET CONSTRAINTS ALL DEFERRED")
            let counts = try LedgerSchema.tables.map { t in
                (t.name, try s.one("SELECT COUNT(*) AS n FROM \(PostgresAudit.quoted(t.name))")?.int("n") ?? 0)
            }
            guard counts.allSatisfy({ $0.1 == 0 }) else { throw LedgerTransfer.notEmpty(location, counts) }
            var buffer = ImportBuffer { t, rows in try PostgresAudit.insert(s, table: t.name, columns: t.columnNames, rows: rows) }
            try source.exportRows { table, row in try buffer.add(table, row) }
            try buffer.finish()
            for t in LedgerSchema.tables where t.autoIncrement {
                let table = PostgresAudit.quoted(t.name), key = PostgresAudit.quoted(t.primaryKey[0])
                try s.execute("SELECT setval(pg_get_serial_sequence('\(table)', '\(t.primaryKey[0])'), COALESCE(MAX(\(key)), 0) + 1, false) FROM \(table)")
            }
        }
    }
}

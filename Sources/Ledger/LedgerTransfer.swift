import Foundation

/// `ledger migrate`: what both engines share to copy a ledger verbatim (tables in `LedgerSchema` order, every
/// described column, nothing recomputed: audit seq/hash/prevHash/format, row hashes, checkpoints as stored).
enum LedgerTransfer {
    /// Rows written per statement by an import.
    static let rowsPerStatement = 500

    /// The stored values of an exported row, in the table's column order (a column the source lacks is NULL).
    static func values(_ table: LedgerSchema.Table, _ row: [String: LedgerValue]) -> [LedgerValue] {
        table.columns.map { row[$0.name] ?? .null }
    }

    static func table(_ name: String) throws -> LedgerSchema.Table {
        guard let t = LedgerSchema.table(name) else { throw LedgerError.constraint("the source exported rows of an unknown table \"\(name)\"") }
        return t
    }

    /// The refusal of an import into a ledger that holds rows.
    static func notEmpty(_ location: String, _ counts: [(table: String, rows: Int)]) -> LedgerError {
        let held = counts.filter { $0.rows > 0 }.map { "\($0.table): \($0.rows)" }.joined(separator: ", ")
        return .notEmpty("\(location) holds rows (\(held)); a ledger is imported into an empty ledger only, and nothing was written")
    }

    /// The order rows are exported in, the same on every engine: the recording order where the table keeps one
    /// (certificates: SQLite's rowid, PostgreSQL's identity "rowid"), else the primary key, else all columns.
    static func order(_ t: LedgerSchema.Table, recordingOrder: String) -> String {
        if t.recordingOrder { return recordingOrder }
        return (t.primaryKey.isEmpty ? t.columnNames : t.primaryKey).map(PostgresAudit.quoted).joined(separator: ", ")
    }
}

/// Buffers an import's rows per table and writes them in multi-row statements.
struct ImportBuffer {
    var table: LedgerSchema.Table?
    var rows: [[LedgerValue]] = []
    let flush: (LedgerSchema.Table, [[LedgerValue]]) throws -> Void

    mutating func add(_ name: String, _ row: [String: LedgerValue]) throws {
        if table?.name != name { try finish(); table = try LedgerTransfer.table(name) }
        rows.append(LedgerTransfer.values(table!, row))
        if rows.count >= LedgerTransfer.rowsPerStatement { try finish() }
    }

    mutating func finish() throws {
        if let t = table, !rows.isEmpty { try flush(t, rows) }
        rows.removeAll(keepingCapacity: true)
    }
}

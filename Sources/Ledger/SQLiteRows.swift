import Foundation
internal import GRDB

/// GRDB's rows read through `LedgerRow` (the records are decoded once for both engines, in LedgerRow.swift), and
/// the engine-neutral values bound as SQLite arguments. Times are written in the one stored form that the audit
/// chain hashes (`LedgerTime.storage`).
extension Row: LedgerRow {
    func optionalText(_ column: String) -> String? { self[column] }
    func optionalInt64(_ column: String) -> Int64? { self[column] }
    func optionalBlob(_ column: String) -> Data? { self[column] }
}

extension LedgerValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let d): return d.databaseValue
        }
    }

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let i): self = .integer(i)
        case .double(let d): self = d.rounded() == d && abs(d) < 9e18 ? .integer(Int64(d)) : .text(String(d))
        case .string(let s): self = .text(s)
        case .blob(let b): self = .blob(b)
        }
    }
}

extension StatementArguments {
    init(_ values: [LedgerValue]) { self.init(values.map(\.databaseValue)) }
}

extension Database {
    /// `INSERT INTO table (columns) VALUES (?, …)` for each row, one cached statement.
    func insert(_ table: String, _ columns: [String], rows: [[LedgerValue]], or conflict: String = "") throws {
        guard !rows.isEmpty else { return }
        let sql = "INSERT \(conflict)INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
        let statement = try cachedStatement(sql: sql)
        for values in rows { try statement.execute(arguments: StatementArguments(values)) }
    }
}

extension CertificateRecord {
    /// The facts as they will be stored, for the row hash.
    var facts: AuditChain.RowFacts {
        AuditChain.RowFacts(issuerSKID: issuerSKID, serial: serial, type: type, subject: subject, skid: skid, vid: vid, pid: pid,
                            notBefore: LedgerTime.storage(notBefore), notAfter: LedgerTime.storage(notAfter),
                            createdAt: LedgerTime.storage(createdAt), sha256: sha256, batchID: batchID, batchItem: batchItem)
    }

    static let insertSQL = """
        INSERT INTO certificates (issuerSKID, serial, type, subject, skid, vid, pid, notBefore, notAfter, der, sha256, status, batchID,
                                  batchItem, createdAt, auditSeq, rowHash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the row bound to audit entry `seq`; returns its row hash. (The issuance hot path: a cached statement and
    /// GRDB's own arguments, not the engine-neutral values.)
    func insert(_ db: Database, auditSeq seq: Int64) throws -> String {
        let f = facts
        let rowHash = f.hash
        try db.cachedStatement(sql: Self.insertSQL).execute(arguments: [
            issuerSKID, serial, type, subject, skid, vid, pid, f.notBefore, f.notAfter, der, sha256, status, batchID, batchItem,
            f.createdAt, seq, rowHash])
        return rowHash
    }
}

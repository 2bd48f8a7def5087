import Foundation
internal import GRDB

/// The write workflows' primitives on GRDB's `Database`, inside `SQLiteLedger.write` (an IMMEDIATE transaction: it
/// excludes every other writer, so there is no row to lock). Every statement is a cached one, its SQL built from the
/// schema's names; certificate rows go through their own cached INSERT with GRDB's arguments (the issuance hot path).
struct SQLiteWriteTransaction: LedgerWriteTransaction {
    let db: Database

    func auditHead() throws -> AuditHead { try SQLiteAudit.head(db) }

    func insert(_ table: String, columns: [String], rows: [[LedgerValue]]) throws {
        try db.insert(table, columns, rows: rows)
    }

    func upsert(_ table: String, columns: [String], values: [LedgerValue]) throws {
        try db.insert(table, columns, rows: [values], or: "OR REPLACE ")
    }

    func update(_ table: String, set: KeyValuePairs<String, LedgerValue>, where key: KeyValuePairs<String, LedgerValue>) throws {
        try db.cachedStatement(sql: "UPDATE \(table) SET \(Self.terms(set, ", ")) WHERE \(Self.terms(key, " AND "))")
            .execute(arguments: StatementArguments(set.map(\.value) + key.map(\.value)))
    }

    func delete(from table: String, where key: KeyValuePairs<String, LedgerValue>) throws {
        try db.cachedStatement(sql: "DELETE FROM \(table) WHERE \(Self.terms(key, " AND "))").execute(arguments: StatementArguments(key.map(\.value)))
    }

    func selectOne(_ columns: [String], from table: String, where key: KeyValuePairs<String, LedgerValue>, locked: Bool) throws -> Row? {
        let sql = "SELECT \(columns.isEmpty ? "*" : columns.joined(separator: ", ")) FROM \(table) WHERE \(Self.terms(key, " AND "))"
        return try Row.fetchOne(try db.cachedStatement(sql: sql), arguments: StatementArguments(key.map(\.value)))
    }

    func count(_ table: String, where key: KeyValuePairs<String, LedgerValue>) throws -> Int {
        try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM \(table) WHERE \(Self.terms(key, " AND "))"),
                         arguments: StatementArguments(key.map(\.value))) ?? 0
    }

    func insertCertificates(_ certificates: [CertificateRecord], auditSeq seq: Int64) throws -> [String] {
        var hashes: [String] = []
        hashes.reserveCapacity(certificates.count)
        for c in certificates { hashes.append(try c.insert(db, auditSeq: seq)) }
        return hashes
    }

    func certificateStatus(issuerSKID: String, serial: String) throws -> String? {
        try String.fetchOne(try db.cachedStatement(sql: "SELECT status FROM certificates WHERE issuerSKID = ? AND serial = ?"), arguments: [issuerSKID, serial])
    }

    func recordRevocation(issuerSKID: String, serial: String, reason: String, revokedAt: String, actor: String, auditSeq seq: Int64, rowHash: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO revocations (issuerSKID, serial, reason, revokedAt, actor, auditSeq, rowHash) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [issuerSKID, serial, reason, revokedAt, actor, seq, rowHash])
        try db.cachedStatement(sql: "UPDATE certificates SET status = 'revoked' WHERE issuerSKID = ? AND serial = ?").execute(arguments: [issuerSKID, serial])
    }

    /// "a = ?" terms joined by `separator`.
    private static func terms(_ pairs: KeyValuePairs<String, LedgerValue>, _ separator: String) -> String {
        pairs.map { "\($0.key) = ?" }.joined(separator: separator)
    }
}

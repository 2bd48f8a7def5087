import Foundation
internal import PostgresNIO

/// Raw SQL outside the ledger's rules, for tests (tampering, database set-up) and operators' tools: internal only.
extension PostgresLedger {
    /// Runs statements on the database of `url` without opening (or migrating) a ledger there: `CREATE DATABASE` on
    /// the server's maintenance database, for instance.
    static func administer(url: String, password: String?, _ statements: [String]) throws {
        let target = try PostgresTarget(url: url)
        let configuration = PostgresConnection.Configuration(host: target.host, port: target.port, username: target.user, password: password,
                                                             database: target.database, tls: .disable)
        let pool = PostgresPool(configuration: configuration, capacity: 1)
        defer { pool.shutdown() }
        do {
            try pool.withSession { s in for sql in statements { try s.execute(sql) } }
        } catch {
            throw LedgerError.unavailable("\(target.endpoint): \((error as? PSQLError).map(describe) ?? "\(error)")")
        }
    }

    /// Statements separated by ";" (none inside a literal) in one transaction, errors mapped like the ledger's own.
    func rawExecute(_ sql: String) throws {
        let statements = sql.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        try write { s in for statement in statements { try s.execute(statement) } }
    }

    /// Every value as text (NULL as nil), for tests.
    func rawRows(_ sql: String) throws -> [[String?]] {
        try read { s in
            try s.query(sql).map { row in
                row.values.map { v -> String? in
                    switch v {
                    case .null: return nil
                    case .integer(let i): return String(i)
                    case .text(let t): return t
                    case .blob(let d): return Canonical.hex(d)
                    }
                }
            }
        }
    }
}

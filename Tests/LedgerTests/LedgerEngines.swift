import Crypto
import Foundation
@testable import Ledger
import Testing
import TestSupport

/// The engines the conformance suite runs on: SQLite always, PostgreSQL when `MATTER_CA_TEST_POSTGRES_URL` names a
/// server (`eval "$(scripts/pg-cluster start)"`); each PostgreSQL case gets a database of its own, dropped afterwards.
enum Engine: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    static let all: [Engine] = {
        if PostgresTestServer.configured != nil { return [.sqlite, .postgres] }
        FileHandle.standardError.write(Data("""
            ⚠️  LedgerTests: the PostgreSQL cases were SKIPPED (MATTER_CA_TEST_POSTGRES_URL is not set): only SQLite ran.
                Run `eval "$(scripts/pg-cluster start)"` first to run every ledger test on PostgreSQL too.

            """.utf8))
        return [.sqlite]
    }()
    /// The PostgreSQL-only cases: empty (and announced above) without a server.
    static let postgresOnly: [Engine] = all.filter { $0 == .postgres }
}

struct PostgresTestServer: Sendable {
    let url: String
    let password: String?

    static let configured: PostgresTestServer? = {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["MATTER_CA_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        var password = env["MATTER_CA_TEST_POSTGRES_PASSWORD"]
        if let file = env["MATTER_CA_TEST_POSTGRES_PASSWORD_FILE"], let p = try? String(contentsOfFile: file, encoding: .utf8) {
            password = p.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return PostgresTestServer(url: url, password: password)
    }()

    /// The server's URL with another database.
    func url(database: String) -> String {
        var c = URLComponents(string: url)!
        c.path = "/" + database
        return c.string!
    }

    func createDatabase() throws -> String {
        let name = "mca_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try PostgresLedger.administer(url: url, password: password, ["CREATE DATABASE \(name)"])
        return name
    }

    func dropDatabase(_ name: String) {
        try? PostgresLedger.administer(url: url, password: password, ["DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    }
}

/// Fresh ledgers of one engine for one test; everything it made is removed when it goes.
final class Fixture: @unchecked Sendable {
    let engine: Engine
    private var databases: [String] = []
    private var opened: [PostgresLedger] = []
    private let lock = NSLock()

    init(_ engine: Engine) { self.engine = engine }

    deinit {
        for l in opened { l.close() }
        for d in databases { PostgresTestServer.configured?.dropDatabase(d) }
    }

    /// A new, empty ledger (a new file, or a new database).
    func ledger(clock: @escaping @Sendable () -> Date = { Date() }) throws -> any Ledger {
        switch engine {
        case .sqlite:
            return try SQLiteLedger(path: try CLI.tempDirectory("ledger").appendingPathComponent("l.sqlite").path, clock: clock)
        case .postgres:
            let server = PostgresTestServer.configured!
            let name = try server.createDatabase()
            lock.withLock { databases.append(name) }
            return try open(url: server.url(database: name), clock: clock)
        }
    }

    /// Another instance on the same storage (as another process would open it).
    func another(_ l: any Ledger, clock: @escaping @Sendable () -> Date = { Date() }) throws -> any Ledger {
        if let s = l as? SQLiteLedger { return try SQLiteLedger(path: s.path, clock: clock) }
        return try open(url: l.location, clock: clock)
    }

    func open(url: String, clock: @escaping @Sendable () -> Date = { Date() }) throws -> PostgresLedger {
        let l = try PostgresLedger(url: url, password: PostgresTestServer.configured?.password, clock: clock)
        lock.withLock { opened.append(l) }
        return l
    }

    // MARK: raw SQL, outside the ledger's rules (tampering)

    /// Runs raw SQL; the engine's error message when it is refused.
    @discardableResult
    func raw(_ l: any Ledger, _ sql: String) throws -> String? {
        if let s = l as? SQLiteLedger {
            let r = try CLI.exec("sqlite3", [s.path, sql])
            return r.status == 0 ? nil : r.output
        }
        do { try (l as! PostgresLedger).rawExecute(sql); return nil } catch { return "\(error)" }
    }

    /// Raw SQL that must succeed.
    func tamper(_ l: any Ledger, _ sql: String) throws {
        let refusal = try raw(l, sql)
        #expect(refusal == nil, "\(sql): \(refusal ?? "")")
    }

    func rows(_ l: any Ledger, _ sql: String) throws -> [[String?]] {
        if let s = l as? SQLiteLedger {
            let out = try CLI.exec("sqlite3", ["-separator", "\t", "-nullvalue", "\u{1}", s.path, sql]).stdout
            return out.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map { $0 == "\u{1}" ? nil : String($0) } }
        }
        return try (l as! PostgresLedger).rawRows(sql)
    }

    func dropTrigger(_ trigger: String, on table: String) -> String {
        engine == .sqlite ? "DROP TRIGGER \(trigger);" : "DROP TRIGGER \(trigger) ON \(table);"
    }

    func blob(_ hex: String) -> String { engine == .sqlite ? "X'\(hex)'" : "'\\x\(hex)'::bytea" }
}

/// Records for the tests.
enum Make {
    static func certificate(serial: String, sha: String, der: [UInt8] = [1], batch: String? = nil, item: Int? = nil, issuer: String = "AA",
                            vid: Int? = 1, type: String? = nil, at: Date = Date()) -> CertificateRecord {
        var d = der
        if d == [1] { d = Array(SHA256.hash(data: Data(sha.utf8))) }
        return CertificateRecord(issuerSKID: issuer, serial: serial, type: type ?? (batch == nil ? "pai" : "dac"), subject: "CN=x", skid: sha, vid: vid, pid: nil,
                                 notBefore: at, notAfter: at.addingTimeInterval(86_400), der: Data(d),
                                 sha256: SHA256.hash(data: d).map { String(format: "%02X", $0) }.joined(), batchID: batch, batchItem: item, createdAt: at)
    }

    static func authority(_ skid: String, type: String = "pai", parent: String? = nil) -> AuthorityRecord {
        AuthorityRecord(skid: skid, type: type, name: "x", tokenLabel: "t", keyLabel: "k", serial: "01", parentSKID: parent, vid: 1, pid: nil,
                        certificateSHA256: skid, createdAt: Date())
    }

    static func batch(_ id: String, key: String, count: Int = 10, at: Date = Date()) -> BatchRecord {
        BatchRecord(id: id, idempotencyKey: key, vid: 1, pid: 1, paiSKID: "AA", kind: "generated", count: count, requestSHA256: "r", status: "started",
                    createdAt: at, completedAt: nil)
    }

    static func dacs(_ range: Range<Int>, batch: String, issuer: String = "BB", tag: String = "D") -> [CertificateRecord] {
        range.map { certificate(serial: String(format: "%04X", $0 + 16), sha: "\(tag)\(batch)\($0)", batch: batch, item: $0, issuer: issuer) }
    }

    static func checkpoint(_ l: any Ledger, _ key: P256.Signing.PrivateKey, at: String = "2026-01-01T00:00:00Z") throws {
        let head = try l.auditHead()
        let sig = try key.signature(for: AuditCheckpoint.message(seq: head.seq, hash: head.hash, at: at)).derRepresentation
        try l.addCheckpoint(AuditCheckpoint(seq: head.seq, hash: head.hash, at: at, keyID: "K", signature: sig))
    }
}

/// A clock that moves one second per reading: rows ordered by time keep the order they were written in.
func tickingClock(from start: Date = Date(timeIntervalSince1970: 1_800_000_000)) -> @Sendable () -> Date {
    final class State: @unchecked Sendable { let lock = NSLock(); var t: Date; init(_ t: Date) { self.t = t } }
    let s = State(start)
    return { s.lock.withLock { s.t = s.t.addingTimeInterval(1); return s.t } }
}

/// What a refusal must leave alone.
struct Snapshot: Equatable {
    let counts: [String: Int]
    let head: AuditHead
    init(_ l: any Ledger) throws { counts = try l.counts(); head = try l.auditHead() }
}

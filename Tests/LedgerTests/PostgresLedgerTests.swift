import Foundation
@testable import Ledger
import NIOCore
import NIOPosix
import Testing
import TestSupport

/// Runs `body(i)` for i in 0..<n on n threads released at once; the results in index order.
final class RaceResults<T>: @unchecked Sendable { let lock = NSLock(); var values: [Int: T] = [:] }

func race<T: Sendable>(_ n: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = RaceResults<T>()
    let gate = DispatchSemaphore(value: 0), group = DispatchGroup()
    for i in 0..<n {
        group.enter()
        Thread.detachNewThread {
            gate.wait()
            let r = body(i)
            results.lock.withLock { results.values[i] = r }
            group.leave()
        }
    }
    for _ in 0..<n { gate.signal() }
    group.wait()
    return (0..<n).map { results.values[$0]! }
}

/// Outcome of a call, comparable.
enum Outcome: Equatable, Sendable {
    case ok
    case refused(LedgerError)
    case other(String)
    init(_ body: () throws -> Void) {
        do { try body(); self = .ok } catch let e as LedgerError { self = .refused(e) } catch { self = .other("\(error)") }
    }
}

/// PostgreSQL only: several ledgers on one database, as several server processes, written from several threads at
/// once; connecting, refusing, reconnecting.
@Suite struct PostgresLedgerTests {
    @Test(arguments: Engine.postgresOnly) func concurrentWritersKeepOneLinearChain(engine: Engine) throws {
        let f = Fixture(engine)
        let first = try f.ledger()
        let ledgers = try [first] + (0..<3).map { _ in try f.another(first) }
        let threads = 8, rounds = 12
        let outcomes = race(threads) { t in
            let l = ledgers[t % ledgers.count]
            return Outcome {
                for r in 0..<rounds {
                    if r % 3 == 0 {
                        try l.audit(actor: "thread\(t)", action: "test", payload: ["r": "\(r)"])
                    } else {
                        try l.recordCertificates([CertificateGroup(certificates: [Make.certificate(serial: "\(t)-\(r)", sha: "t\(t)r\(r)"),
                                                                                  Make.certificate(serial: "\(t)-\(r)b", sha: "t\(t)r\(r)b")],
                                                                   actor: "thread\(t)", action: "dac.issue", payload: [:])])
                    }
                }
            }
        }
        #expect(outcomes.allSatisfy { $0 == .ok }, "\(outcomes)")
        let report = try first.verifyAudit()
        #expect(report.intact && report.entries == threads * rounds && report.certificateRows == threads * rounds / 3 * 2 * 2, "\(report)")
        #expect(try first.auditEntries(action: nil, limit: 1000).map(\.seq) == (1...Int64(threads * rounds)).map { $0 })
        #expect(try ledgers[2].auditHead() == first.auditHead())
    }

    @Test(arguments: Engine.postgresOnly) func oneIdempotencyKeyRacedGivesOneBatch(engine: Engine) throws {
        let f = Fixture(engine)
        let a = try f.ledger(), b = try f.another(a)
        for round in 0..<8 {
            let key = "key-\(round)"
            let outcomes = race(2) { i in Outcome { try [a, b][i].createBatch(Make.batch("B\(round)-\(i)", key: key), actor: "p\(i)") } }
            #expect(outcomes.filter { $0 == .ok }.count == 1 && outcomes.contains(.refused(.idempotencyKeyTaken(key))), "\(outcomes)")
            let winner = outcomes.firstIndex(of: .ok)!
            #expect(try a.batch(idempotencyKey: key)?.id == "B\(round)-\(winner)")
        }
        #expect(try a.counts()["batches"] == 8 && a.counts()["audit_log"] == 8 && a.verifyAudit().intact)
    }

    @Test(arguments: Engine.postgresOnly) func oneSerialRacedGivesOneCollision(engine: Engine) throws {
        let f = Fixture(engine)
        let a = try f.ledger(), b = try f.another(a)
        try a.createBatch(Make.batch("B1", key: "k"), actor: "t")
        for round in 0..<8 {
            let serial = String(format: "%04X", 0x100 + round)
            let outcomes = race(2) { i in
                Outcome {
                    try [a, b][i].commitChunk([Make.certificate(serial: serial, sha: "r\(round)p\(i)", batch: "B1", item: round * 2 + i)], batchID: "B1", actor: "p\(i)")
                }
            }
            #expect(outcomes.filter { $0 == .ok }.count == 1 && outcomes.contains(.refused(.serialCollision)), "\(outcomes)")
        }
        #expect(try a.counts()["certificates"] == 8 && a.batchItemsIssued("B1").count == 8 && a.verifyAudit().intact)
    }

    @Test(arguments: Engine.postgresOnly) func twoClaimersRacedGiveOneLeaseHolder(engine: Engine) throws {
        let f = Fixture(engine)
        let a = try f.ledger(), b = try f.another(a)
        let until = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 600).rounded(.down))
        for round in 0..<8 {
            try a.createBatch(Make.batch("B\(round)", key: "k\(round)"), actor: "t")
            let outcomes = race(2) { i in
                Outcome { try [a, b][i].claimBatch(id: "B\(round)", owner: "host:\(i)", until: until, ownerIsGone: { _ in false }) }
            }
            let holder = try #require(try a.batch(id: "B\(round)")?.leaseOwner)
            let winner = holder == "host:0" ? 0 : 1
            #expect(outcomes[winner] == .ok && outcomes[1 - winner] == .refused(.batchLeased(batchID: "B\(round)", owner: holder, until: until)), "\(outcomes)")
        }
        #expect(try a.claimableBatches(now: Date()).isEmpty)
    }

    @Test(arguments: Engine.postgresOnly) func serversStartingAtOnceMigrateOnce(engine: Engine) throws {
        let f = Fixture(engine)
        let first = try f.ledger() as! PostgresLedger
        // A fresh database, opened by four "servers" at once.
        let server = try #require(PostgresTestServer.configured)
        let name = try server.createDatabase()
        defer { server.dropDatabase(name) }
        let url = server.url(database: name)
        let outcomes = race(4) { _ in Outcome { let l = try PostgresLedger(url: url, password: server.password); l.close() } }
        #expect(outcomes.allSatisfy { $0 == .ok }, "\(outcomes)")
        let l = try f.open(url: url)
        #expect(try l.rawRows("SELECT version FROM schema_migrations") == [["\(LedgerSchema.version)"]])
        #expect(try l.counts() == first.counts())
        l.close()
    }

    @Test(arguments: Engine.postgresOnly) func oneLedgerServesManyThreadsAndEventLoops(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        let outcomes = race(12) { t in Outcome { for r in 0..<5 { try l.audit(actor: "t\(t)", action: "a", payload: ["r": "\(r)"]); _ = try l.auditHead() } } }
        #expect(outcomes.allSatisfy { $0 == .ok }, "\(outcomes)")
        #expect(try l.verifyAudit().entries == 60 && l.verifyAudit().intact)
        // Called from an event-loop thread (as a Hummingbird handler may be): it blocks, it does not trap.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let seq = try group.next().submit { try l.auditHead().seq }.wait()
        #expect(seq == 60)
    }

    @Test(arguments: Engine.postgresOnly) func brokenConnectionsAreReplaced(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger() as! PostgresLedger
        try l.audit(actor: "t", action: "before", payload: [:])
        // Another session ends every connection of the ledger (a server restart, a proxy's idle timeout).
        let admin = try #require(PostgresTestServer.configured)
        try PostgresLedger.administer(url: admin.url, password: admin.password, [
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(l.location.split(separator: "/").last!)'"])
        Thread.sleep(forTimeInterval: 0.2)
        try l.ping()
        try l.audit(actor: "t", action: "after", payload: [:])
        #expect(try l.verifyAudit().entries == 2)
    }

    @Test(arguments: Engine.postgresOnly) func aWrongPasswordIsUnavailableWithoutThePassword(engine: Engine) throws {
        let server = try #require(PostgresTestServer.configured)
        let endpoint = String(server.url.split(separator: "@").last!)   // host:port/database
        #expect {
            _ = try PostgresLedger(url: server.url, password: "not-the-password-4711")
        } throws: { e in
            guard case LedgerError.unavailable(let m) = e else { return false }
            return m.contains(endpoint) && !m.contains("4711") && "\(e)".contains("password authentication failed")
        }
    }
}

/// Opening a PostgreSQL ledger: URL rules and unreachable servers (no server needed).
@Suite struct PostgresURLTests {
    @Test func aURLWithAPasswordIsRefusedWithoutPrintingIt() {
        #expect {
            _ = try PostgresLedger(url: "postgres://mca:hunter2secret@db.example:5433/ledger", password: nil)
        } throws: { e in
            guard case LedgerError.unavailable(let m) = e else { return false }
            return !m.contains("hunter2secret") && m.contains("postgres://mca@db.example:5433/ledger") && m.contains("carries a password")
        }
        #expect(throws: LedgerError.self) { _ = try PostgresLedger(url: "mysql://x@y/z", password: nil) }
        #expect(throws: LedgerError.self) { _ = try PostgresLedger(url: "postgres://x@y/z?sslmode=allow", password: nil) }
    }

    @Test func anUnreachableServerIsUnavailableNamingHostPortAndDatabase() throws {
        // A port nobody listens on.
        #expect {
            _ = try PostgresLedger(url: "postgres://mca@127.0.0.1:1/ledgerdb", password: "s3cret-pw")
        } throws: { e in
            guard case LedgerError.unavailable(let m) = e else { return false }
            return m.contains("127.0.0.1:1/ledgerdb") && !m.contains("s3cret-pw")
        }
        let t = try PostgresTarget(url: "postgresql://ca@[::1]/mca?sslmode=require")
        #expect(t.host == "::1" && t.port == 5432 && t.database == "mca" && t.location == "postgres://ca@[::1]:5432/mca?sslmode=require")
    }
}

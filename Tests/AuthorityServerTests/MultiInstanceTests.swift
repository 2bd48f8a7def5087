import Foundation
import Testing
import TestSupport

/// Three `serve` instances of one home (one token) on one PostgreSQL ledger, named as three nodes so that a job
/// of a killed instance is taken over only when its lease ends, as on separate machines.
@Suite(.serialized, .enabled(if: TestHome.softHSMAvailable && TestPostgres.url != nil, TestPostgres.missing))
struct MultiInstanceTests {
    static func post(_ s: TestServer, count: Int, key: String, token: String) throws -> (status: Int, body: String, headers: String) {
        try s.curl("/v1/batches", method: "POST", token: token, contentType: "application/json",
                   body: try JSONSerialization.data(withJSONObject: ["vendor": "FFF1", "pid": "8000", "pai": "FFF1 PAI", "count": count]),
                   extra: ["-H", "Idempotency-Key: \(key)"])
    }

    static func status(_ s: TestServer, _ key: String, token: String) throws -> [String: Any] {
        try s.json("/v1/batches/\(key)", token: token) as? [String: Any] ?? [:]
    }

    static func waitCompleted(_ s: TestServer, _ key: String, token: String, timeout: TimeInterval = 180) throws -> [String: Any] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            let j = try status(s, key, token: token)
            if j["status"] as? String == "completed" { return j }
            usleep(250_000)
        }
        throw TestHome.Failure(description: "batch \(key) did not complete: \(try status(s, key, token: token))")
    }

    @Test func threeInstancesShareOneLedgerAndOneOfThemDies() throws {
        let db = try TestPostgres.database()
        let h = try ServerFixture.home(ledgerURL: db)
        let token = try h.token(vendor: "FFF1", label: "factory").secret
        // One after another: the first makes the service CA that the others then use.
        let servers = try ["a", "b", "c"].map { node in
            try TestServer(home: h, arguments: ["--batch-lease", "3"], environment: ["MATTER_CA_NODE": "node-\(node)"])
        }
        defer { for s in servers { s.stop(SIGKILL) } }
        for s in servers { #expect((try s.json("/healthz") as? [String: String])?["ledgerEngine"] == "postgres") }

        // EST enrollments spread over the three instances, all at once.
        let dir = try CLI.tempDirectory("multi")
        let bodies = try (0..<24).map { ServerFixture.base64(try ServerFixture.csr(in: dir, name: "d\($0)").der) }
        let results = Locked<[Int: (Int, String)]>([:])
        DispatchQueue.concurrentPerform(iterations: bodies.count) { i in
            let r = try? servers[i % 3].curl("/.well-known/est/FFF1-8000/simpleenroll", method: "POST", token: token, contentType: "application/pkcs10", body: bodies[i])
            results.with { $0[i] = (r?.status ?? -1, r?.body ?? "") }
        }
        let enrolled = results.with { $0 }
        #expect(enrolled.values.allSatisfy { $0.0 == 200 }, "\(enrolled.values.filter { $0.0 != 200 }.prefix(3))")
        #expect(Set(try enrolled.values.map { try CertificateSerial.of(pkcs7: $0.1, in: dir) }).count == bodies.count)

        // A batch job on instance a, watched from instance b; a is killed in the middle of it.
        let total = 3000
        #expect(try Self.post(servers[0], count: total, key: "shared-job", token: token).status == 202)
        var seen: [String: Any] = [:]
        for _ in 0..<600 {
            seen = try Self.status(servers[1], "shared-job", token: token)
            if (seen["issued"] as? Int ?? 0) > 0 { break }
            usleep(50_000)
        }
        let issuedBeforeKill = seen["issued"] as? Int ?? 0
        #expect(issuedBeforeKill > 0 && issuedBeforeKill < total && seen["status"] as? String == "running", "progress seen from another instance: \(seen)")
        servers[0].stop(SIGKILL)
        let done = try Self.waitCompleted(servers[1], "shared-job", token: token)
        #expect((done["certificates"] as? [Any])?.count == total)
        #expect((done["keys"] as? [Any])?.count == total, "every generated key is delivered, those staged by the killed instance too")
        #expect((servers[1].log + servers[2].log).contains("resuming batch job"), "another instance took the job over")

        // The same idempotency key sent to two instances at once: one batch, signed once.
        let twice = Locked<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let r = try? Self.post(servers[1 + i], count: 40, key: "same-key", token: token)
            twice.with { $0.append(r?.status ?? -1) }
        }
        #expect(twice.with { $0 } == [202, 202])
        let one = try Self.waitCompleted(servers[1], "same-key", token: token)
        let other = try Self.waitCompleted(servers[2], "same-key", token: token)
        let serialsOne = Set((one["certificates"] as? [[String: Any]] ?? []).compactMap { $0["serial"] as? String })
        #expect(serialsOne.count == 40 && serialsOne == Set((other["certificates"] as? [[String: Any]] ?? []).compactMap { $0["serial"] as? String }))

        // Exactly the requested certificates, no serial twice, one linear audit chain.
        let dacs = (try h.json(["list", "dac"]) as! [[String: Any]]).map { $0["serial"] as! String }
        #expect(dacs.count == bodies.count + total + 40 && Set(dacs).count == dacs.count)
        #expect(try TestPostgres.psql(db, "SELECT COUNT(*) FROM batches") == "2")
        #expect(try TestPostgres.psql(db, "SELECT COUNT(*) FROM (SELECT serial FROM certificates GROUP BY serial HAVING COUNT(*) > 1) d") == "0")
        let audit = try h.run(["audit", "verify"])
        #expect(audit.status == 0, "\(audit.output)")
        #expect(try TestPostgres.psql(db, "SELECT COUNT(*) = MAX(seq) FROM audit_log") == "t")
    }
}

/// A server whose PostgreSQL ledger goes away answers /healthz with 503 naming the ledger (engine and location, never
/// the password), and doctor says the same.
@Suite(.enabled(if: TestHome.softHSMAvailable && TestPostgres.url != nil, TestPostgres.missing))
struct SharedLedgerHealthTests {
    @Test func healthzNamesAnUnreachableLedger() throws {
        let db = try TestPostgres.database()
        let h = try ServerFixture.home(ledgerURL: db)
        let server = try TestServer(home: h)
        defer { server.stop() }
        let ok = try #require(try server.json("/healthz") as? [String: String])
        #expect(ok["ledgerEngine"] == "postgres" && ok["ledger"]?.contains("round trip") == true, "\(ok)")

        // The database disappears under the server (its connections are cut).
        let name = String(db.split(separator: "/").last!)
        try TestPostgres.psql(TestPostgres.url!, "DROP DATABASE \(name) WITH (FORCE)")
        let down = try server.curl("/healthz")
        #expect(down.status == 503 && down.body.contains("ledger") && down.body.contains(name), "\(down.body)")
        let password = try String(contentsOfFile: try #require(TestPostgres.passwordFile), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!down.body.contains(password))
        let doctor = try h.run(["doctor"])
        #expect(doctor.status == 1 && doctor.output.contains(name) && !doctor.output.contains(password), "\(doctor.output)")
    }
}

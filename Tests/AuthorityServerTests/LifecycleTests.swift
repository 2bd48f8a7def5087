import Foundation
import Testing
import TestSupport

/// Batch jobs over REST, the limits, health and metrics, and a SIGTERM in the middle of a job.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct LifecycleTests {
    static func post(_ f: ServerFixture, _ body: [String: Any], key: String, token: String) throws -> (status: Int, body: String, headers: String) {
        try f.server.curl("/v1/batches", method: "POST", token: token, contentType: "application/json",
                          body: try JSONSerialization.data(withJSONObject: body), extra: ["-H", "Idempotency-Key: \(key)"])
    }

    static func waitCompleted(_ f: ServerFixture, _ key: String, token: String, timeout: TimeInterval = 120) throws -> [String: Any] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            let j = try f.server.json("/v1/batches/\(key)", token: token) as? [String: Any] ?? [:]
            if j["status"] as? String == "completed" { return j }
            if j["status"] as? String == "failed" { throw TestHome.Failure(description: "\(j)") }
            usleep(200_000)
        }
        throw TestHome.Failure(description: "batch \(key) did not complete")
    }

    @Test func aRESTBatchDeliversItsCertificatesAndItsKeysOnce() throws {
        let f = try ServerFixture()
        let accepted = try Self.post(f, ["vendor": "FFF1", "pid": "8000", "pai": "FFF1 PAI", "count": 25], key: "rest-1", token: f.fff1.secret)
        #expect(accepted.status == 202 && accepted.headers.contains("/v1/batches/rest-1"), "\(accepted.body)")
        let done = try Self.waitCompleted(f, "rest-1", token: f.fff1.secret)
        let certs = try #require(done["certificates"] as? [[String: Any]]), keys = try #require(done["keys"] as? [[String: Any]])
        #expect(certs.count == 25 && keys.count == 25 && done["keysDelivered"] as? Bool == false)
        let again = try f.server.json("/v1/batches/rest-1", token: f.fff1.secret) as! [String: Any]
        #expect(again["keys"] == nil && again["keysDelivered"] as? Bool == true && (again["certificates"] as? [Any])?.count == 25)
        // Another vendor cannot see it; the same key again returns the same batch.
        #expect(try f.server.curl("/v1/batches/rest-1", token: f.fff2.secret).status == 403)
        #expect(try Self.post(f, ["vendor": "FFF1", "pid": "8000", "pai": "FFF1 PAI", "count": 25], key: "rest-1", token: f.fff1.secret).status == 202)
        #expect((try f.home.json(["list", "dac"]) as! [Any]).count == 25)
    }

    @Test func theBatchJobCapAnswers503() throws {
        let f = try ServerFixture(arguments: ["--max-batch-jobs", "1"])
        #expect(try Self.post(f, ["vendor": "FFF1", "pid": "8000", "pai": "FFF1 PAI", "count": 20000], key: "big", token: f.fff1.secret).status == 202)
        let second = try Self.post(f, ["vendor": "FFF1", "pid": "8000", "pai": "FFF1 PAI", "count": 10], key: "small", token: f.fff1.secret)
        #expect(second.status == 503 && second.body.contains("the limit is 1") && second.headers.lowercased().contains("retry-after"), "\(second.body)")
        f.server.stop()
    }

    @Test func healthAndMetricsReport() throws {
        let f = try ServerFixture()
        let h = try f.server.json("/healthz") as! [String: String]
        #expect(h["status"] == "ok" && h["token"] == "ok" && h["ledger"]?.hasPrefix("ok") == true)
        let dir = try CLI.tempDirectory("m")
        let csr = ServerFixture.base64(try ServerFixture.csr(in: dir).der)
        #expect(try f.server.curl("/.well-known/est/FFF1-8000/simpleenroll", method: "POST", token: f.fff1.secret, contentType: "application/pkcs10", body: csr).status == 200)
        let metrics = try f.server.curl("/metrics").body
        #expect(metrics.contains(#"matter_ca_certificates_issued_total{route="est",type="dac"} 1"#) || metrics.contains(#"matter_ca_certificates_issued_total{type="dac",route="est"} 1"#), "\(metrics)")
        #expect(metrics.contains("matter_ca_signing_seconds"), "signing latency histogram")
        #expect(metrics.contains("hb_requests"), "requests by route and status")
    }

    /// SIGTERM while a job runs: the process exits cleanly after the chunk in hand, the job resumes after a
    /// restart, and every certificate is in the ledger exactly once.
    @Test func sigtermDuringABatchJobThenRestartCompletesIt() throws {
        let f = try ServerFixture()
        #expect(try Self.post(f, ["vendor": "FFF1", "pid": "8000", "pai": "FFF1 PAI", "count": 12000], key: "sigterm", token: f.fff1.secret).status == 202)
        var issued = 0
        for _ in 0..<100 where issued == 0 {
            usleep(100_000)
            issued = (try f.server.json("/v1/batches/sigterm", token: f.fff1.secret) as? [String: Any])?["issued"] as? Int ?? 0
        }
        #expect(issued > 0)
        #expect(f.server.stop(SIGTERM) == 0, "a clean exit: \(f.server.log.suffix(2000))")
        let mid = (try f.home.json(["list", "dac"]) as! [Any]).count
        #expect(mid > 0 && mid < 12000, "stopped between chunks: \(mid)")
        let restarted = try TestServer(home: f.home)
        let server2 = ServerFixtureView(server: restarted, token: f.fff1.secret)
        let done = try server2.waitCompleted("sigterm")
        #expect((done["certificates"] as? [Any])?.count == 12000)
        let serials = (try f.home.json(["list", "dac"]) as! [[String: Any]]).map { $0["serial"] as! String }
        #expect(serials.count == 12000 && Set(serials).count == 12000)
        restarted.stop()
        #expect(try f.home.run(["audit", "verify"]).status == 0)
    }
}

/// A restarted server on the same home.
struct ServerFixtureView {
    let server: TestServer
    let token: String
    func waitCompleted(_ key: String) throws -> [String: Any] {
        let deadline = Date(timeIntervalSinceNow: 180)
        while Date() < deadline {
            let j = try server.json("/v1/batches/\(key)", token: token) as? [String: Any] ?? [:]
            if j["status"] as? String == "completed" { return j }
            usleep(300_000)
        }
        throw TestHome.Failure(description: "batch \(key) did not complete after the restart: \(server.log.suffix(1500))")
    }
}

/// A token that lost a key the server needs answers /healthz with 503 naming the token check.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct HealthFailureTests {
    @Test func healthzNamesTheFailingCheck() throws {
        let f = try ServerFixture()
        #expect(try f.server.curl("/healthz").status == 200)
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: f.home.root.appendingPathComponent("authority.json"))) as! [String: Any]
        let id = try #require(settings["checkpointKeyID"] as? String)
        _ = try f.home.pkcs11Tool(["--delete-object", "--type", "pubkey", "--id", id])
        let r = try f.server.curl("/healthz")
        #expect(r.status == 503 && r.body.contains("token:") && r.body.contains("application/problem+json") == false, "\(r.status) \(r.body)")
        #expect(r.headers.lowercased().contains("application/problem+json"))
    }
}

import Foundation

/// N `serve` processes of one home (one SoftHSM2 token) on one PostgreSQL ledger, loaded together by wrk with the
/// same total number of connections; the issuance rate as a ratio to one instance.
struct Instances {
    let binary: URL
    let ledgerURL: String
    let password: String
    let dir: URL

    /// What the CLI runs and the instances see (PINs and the ledger password through the environment, never argv).
    var environment: [String: String] {
        ["MATTER_CA_HOME": dir.appendingPathComponent("home").path, "MATTER_CA_PIN": "bench-pin-1", "MATTER_CA_SO_PIN": "bench-so-1",
         "MATTER_CA_LEDGER_PASSWORD": password]
    }

    /// The CLI runs through popen, so it inherits the bench's own environment.
    func prepareEnvironment() {
        for (k, v) in environment { setenv(k, v, 1) }
    }

    @discardableResult
    func cli(_ args: [String]) throws -> String {
        guard let r = toolRun([binary.path] + args), r.status == 0 else {
            throw BenchFailure(description: "matter-ca \(args.prefix(3).joined(separator: " ")) failed")
        }
        return r.output
    }

    func field(_ json: String, _ key: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?[key] as? String
    }

    /// Starts one instance; its URL once it listens.
    func serve(node: String) throws -> (Process, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["serve", "--bind", "127.0.0.1:0"]
        var e = ProcessInfo.processInfo.environment.merging(environment) { _, b in b }
        e["MATTER_CA_NODE"] = node
        p.environment = e
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var text = ""
        let deadline = Date(timeIntervalSinceNow: 60)
        while Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                return (p, String(line.dropFirst("listening on ".count)))
            }
        }
        p.terminate()
        throw BenchFailure(description: "serve did not start")
    }

    func run(seconds: Int) throws {
        prepareEnvironment()
        try cli(["init", "--ledger", ledgerURL])
        guard let paa = field(try cli(["paa", "create", "--cn", "Bench Root", "--json"]), "skid") else { throw BenchFailure(description: "paa create") }
        // The PAIs VendorRegistry/ names.
        for vid in ["FFF1", "FFF2"] { try cli(["pai", "issue", "--paa", paa, "--vid", vid, "--cn", "\(vid) PAI", "--json"]) }
        try cli(["vendor", "import", SharedLedgerBench.root.appendingPathComponent("VendorRegistry").path])
        guard let token = field(try cli(["vendor", "token", "create", "--vendor", "FFF1", "--label", "bench", "--json"]), "token") else {
            throw BenchFailure(description: "vendor token create")
        }
        let script = try ServerBench.estEnrollScript(token: token, in: dir)
        let connections = 24
        var single = 0.0
        for n in 1...3 {
            let servers = try (0..<n).map { try serve(node: "node-\($0)") }
            // Every instance loaded at once, the connections split between them.
            let results = ResultsBox()
            let group = DispatchGroup()
            for (_, url) in servers {
                group.enter()
                let each = connections / n
                Thread {
                    results.add(ServerBench.wrk(url: url, connections: each, seconds: seconds, script: script))
                    group.leave()
                }.start()
            }
            group.wait()
            // kill + waitpid, not Process.waitUntilExit (see toolOutput).
            for (p, _) in servers {
                let pid = p.processIdentifier
                kill(pid, SIGTERM)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
            }
            let all = results.all
            guard all.count == n else { print("  wrk is not installed (scripts/setup installs it)"); return }
            let rate = all.map(\.rate).reduce(0, +), p99 = all.map(\.p99).max() ?? 0, bad = all.map(\.non2xx).reduce(0, +)
            if n == 1 { single = rate }
            print(String(format: "  EST simpleenroll, %d instance(s), %d conns: %7.0f /s  p99 %6.2f ms  ratio to one instance %.2f%@", n, connections, rate, p99,
                         rate / max(single, 1), bad > 0 ? " (\(bad) non-2xx!)" as NSString : "" as NSString))
        }
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [ServerBench.WrkResult] = []
    func add(_ r: ServerBench.WrkResult?) { if let r { lock.withLock { values.append(r) } } }
    var all: [ServerBench.WrkResult] { lock.withLock { values } }
}

struct BenchFailure: Error, CustomStringConvertible { let description: String }

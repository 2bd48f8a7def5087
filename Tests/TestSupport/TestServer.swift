import Foundation

/// A real `matter-ca serve` on 127.0.0.1 (a free port), for tests that drive it with independent clients.
public final class TestServer: @unchecked Sendable {
    public let home: TestHome
    public let process: Process
    public let url: String
    public var caPEM: String { home.root.appendingPathComponent("service-ca/ca.pem").path }
    private let output = LockedLines()

    /// Starts the server on `home` (already initialised) and waits until it listens.
    public init(home: TestHome, arguments: [String] = [], environment: [String: String] = [:], cwd: URL? = nil) throws {
        self.home = home
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["serve", "--bind", "127.0.0.1:0"] + arguments
        p.environment = ProcessInfo.processInfo.environment.merging(home.environment) { _, b in b }.merging(environment) { _, b in b }
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let lines = output
        out.fileHandleForReading.readabilityHandler = { h in lines.append(String(decoding: h.availableData, as: UTF8.self)) }
        err.fileHandleForReading.readabilityHandler = { h in lines.append(String(decoding: h.availableData, as: UTF8.self)) }
        try p.run()
        process = p
        let deadline = Date(timeIntervalSinceNow: 60)
        while Date() < deadline {
            if let line = lines.text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                url = String(line.dropFirst("listening on ".count))
                return
            }
            if !p.isRunning { break }
            usleep(50_000)
        }
        p.terminate()
        throw TestHome.Failure(description: "the server did not start: \(lines.text)")
    }

    /// Everything the server printed so far (stdout and stderr).
    public var log: String { output.text }

    /// Sends `signal` and waits for the exit; the exit status.
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM, timeout: TimeInterval = 60) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); return nil }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// curl against the server (TLS verified with the service CA): status code, body, headers.
    public func curl(_ path: String, method: String = "GET", token: String? = nil, basic: String? = nil, contentType: String? = nil,
                     body: Data? = nil, extra: [String] = []) throws -> (status: Int, body: String, headers: String) {
        let dir = try CLI.tempDirectory("curl")
        var args = ["-sS", "--cacert", caPEM, "-X", method, "-D", dir.appendingPathComponent("h").path, "-o", dir.appendingPathComponent("b").path,
                    "-w", "%{http_code}", url + path]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        if let basic { args += ["-u", basic] }
        if let contentType { args += ["-H", "Content-Type: \(contentType)"] }
        if let body {
            try body.write(to: dir.appendingPathComponent("in"))
            args += ["--data-binary", "@" + dir.appendingPathComponent("in").path]
        }
        let r = try CLI.exec("curl", args + extra)
        let status = Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        let text = (try? String(contentsOf: dir.appendingPathComponent("b"), encoding: .utf8)) ?? ""
        let headers = (try? String(contentsOf: dir.appendingPathComponent("h"), encoding: .utf8)) ?? ""
        return (status, text, headers)
    }

    public func json(_ path: String, token: String? = nil) throws -> Any {
        let r = try curl(path, token: token)
        return try JSONSerialization.jsonObject(with: Data(r.body.utf8))
    }
}

final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    func append(_ s: String) { lock.withLock { buffer += s } }
    var text: String { lock.withLock { buffer } }
}

extension TestHome {
    /// A vendor (or admin) API token, through the CLI.
    public func token(vendor: String?, label: String = "test") throws -> (id: String, secret: String) {
        let args = ["vendor", "token", "create", "--label", label] + (vendor.map { ["--vendor", $0] } ?? ["--admin"])
        let j = try json(args) as! [String: Any]
        return (j["id"] as! String, j["token"] as! String)
    }
}

import Foundation

/// Runs the built `matter-ca` binary, as an operator would.
public enum CLI {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public var output: String { stdout + stderr }
    }

    public static var binary: URL {
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(SharedVectors.packageRoot.appendingPathComponent(".build/debug"))
        for dir in candidates {
            var d = dir
            for _ in 0..<3 {
                let c = d.appendingPathComponent("matter-ca")
                if FileManager.default.isExecutableFile(atPath: c.path) { return c }
                d.deleteLastPathComponent()
            }
        }
        return SharedVectors.packageRoot.appendingPathComponent(".build/debug/matter-ca")
    }

    public static func run(_ args: [String], environment: [String: String] = [:], cwd: URL? = nil) throws -> Result {
        try exec(binary.path, args, environment: environment, cwd: cwd)
    }

    /// Runs any program (openssl, curl, python3) and captures its output.
    public static func exec(_ program: String, _ args: [String], environment: [String: String] = [:], cwd: URL? = nil, stdin: Data? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
        p.arguments = program.hasPrefix("/") ? args : [program] + args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(stdin) }
        try? inp.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let errData = LockedData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData.set(err.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    /// A running `matter-ca`, for tests that kill it or run two at once.
    public struct Running {
        public let process: Process
        let stderr: Pipe?
    }

    public static func start(_ args: [String], environment: [String: String], captureStderr: Bool = false) throws -> Running {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b }
        p.standardOutput = FileHandle.nullDevice
        let err = captureStderr ? Pipe() : nil
        p.standardError = err ?? FileHandle.nullDevice
        try p.run()
        return Running(process: p, stderr: err)
    }

    /// Waits for it; its exit status and what it wrote to stderr.
    public static func finish(_ r: Running) -> (Int32, String) {
        let text = r.stderr.map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) } ?? ""
        r.process.waitUntilExit()
        return (r.process.terminationStatus, text)
    }

    public static func tempDirectory(_ label: String) throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("matter-ca-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.withLock { data = d } }
    func get() -> Data { lock.withLock { data } }
}

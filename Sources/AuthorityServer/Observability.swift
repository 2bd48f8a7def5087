import Foundation
import Ledger
import NIOPosix
import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics, bootstrapped once by `serve`.
public enum Observability {
    nonisolated(unsafe) static var registry: PrometheusCollectorRegistry?
    private static let once = NSLock()

    public static func bootstrap(jsonLogs: Bool, level: Logger.Level = .info) {
        once.withLock {
            guard registry == nil else { return }
            let r = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: r))
            LoggingSystem.bootstrap { label in
                var h: any LogHandler = jsonLogs ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
                h.logLevel = level
                return h
            }
            registry = r
        }
    }

    static func prometheusText() -> [UInt8] { registry?.emitToBuffer() ?? [] }
}

/// One JSON object per line on stderr: time, level, label, message and metadata. No secret is ever metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        var fields: [String: String] = ["time": ISO8601DateFormatter().string(from: Date()), "level": level.rawValue, "label": label, "message": message.description]
        for (k, v) in metadata.merging(extra ?? [:], uniquingKeysWith: { _, b in b }) { fields[k] = v.description }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}

/// The server's blocking work (token signing, ledger commits): more threads than cores, because most of a single
/// issuance is waiting for the ledger's fsync, and concurrent requests then share one commit (GroupCommit).
enum Blocking {
    static let pool: NIOThreadPool = {
        let p = NIOThreadPool(numberOfThreads: 16)
        p.start()
        return p
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do { return try await pool.runIfActive(body) } catch { throw Problem.from(error) }
    }

    /// One indexed read of the ledger. SQLite answers it from the page cache in microseconds and a WAL reader never
    /// waits for a writer, so it runs in place: the hop to the blocking pool and back cost more than the read (perf).
    /// PostgreSQL's is a network round trip: the blocking pool.
    static func read<T: Sendable>(_ ledger: any Ledger, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard ledger.engine == "sqlite" else { return try await run(body) }
        do { return try body() } catch { throw Problem.from(error) }
    }
}

/// Counters by label and dimensions, made once (the factory lookup costs a lock and an allocation).
enum Counters {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: [String: Metrics.Counter] = [:]
    static func increment(_ label: String, _ dimensions: [(String, String)], by n: Int = 1) {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        let c = lock.withLock { () -> Metrics.Counter in
            if let c = made[key] { return c }
            let c = Metrics.Counter(label: label, dimensions: dimensions)
            made[key] = c
            return c
        }
        c.increment(by: n)
    }
}

import Foundation
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

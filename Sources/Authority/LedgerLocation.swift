import Foundation
import Ledger
#if canImport(Glibc)
import Glibc
#endif

/// Which ledger a home uses: its own SQLite file (the embedded default), or a PostgreSQL server named by the
/// `ledgerURL` of its settings (several `serve` instances share one). The server's password is never in the settings,
/// the URL or argv: it comes from `MATTER_CA_LEDGER_PASSWORD`, or from the file named by
/// `MATTER_CA_LEDGER_PASSWORD_FILE` (read at each open, so a rotated file is picked up).
public enum LedgerLocation {
    public static let passwordVariable = "MATTER_CA_LEDGER_PASSWORD"

    /// A PostgreSQL URL (`postgres://user@host:port/database`), or nil for "the home's SQLite file".
    public static func isPostgres(_ url: String) -> Bool { url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") }

    static func open(home: AuthorityHome, settings: AuthoritySettings, clock: @escaping @Sendable () -> Date) throws -> any Ledger {
        if let url = settings.ledgerURL { return try postgres(url, clock: clock) }
        return try SQLiteLedger(path: home.ledger.path, clock: clock)
    }

    public static func postgres(_ url: String, clock: @escaping @Sendable () -> Date = { Date() }) throws -> PostgresLedger {
        guard isPostgres(url) else {
            throw AuthorityError.refused("\(url.split(separator: "@").last ?? "") is not a postgres:// URL")
        }
        return try PostgresLedger(url: url, password: try password(), clock: clock)
    }

    /// The password from the environment (taken once, then removed from it, so no child process inherits it) or
    /// from the file its `_FILE` variable names.
    static func password() throws -> String? {
        if let p = Taken.lock.withLock({ Taken.value }) { return p }
        if let raw = getenv(passwordVariable), strlen(raw) > 0 {
            let value = String(cString: raw)
            memset(raw, 0x20, strlen(raw))
            unsetenv(passwordVariable)
            Taken.lock.withLock { Taken.value = value }
            return value
        }
        guard let path = ProcessInfo.processInfo.environment[passwordVariable + "_FILE"] else { return nil }
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw AuthorityError.refused("\(passwordVariable)_FILE \(path): cannot read")
        }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw AuthorityError.refused("\(passwordVariable)_FILE \(path) is empty") }
        return text
    }

    private enum Taken {
        static let lock = NSLock()
        nonisolated(unsafe) static var value: String?
    }
}

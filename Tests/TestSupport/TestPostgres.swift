import Foundation
import Testing

/// The throwaway PostgreSQL cluster `scripts/test` starts (`scripts/pg-cluster`): its URL and password file come from
/// the environment, and each test takes a fresh database of its own.
public enum TestPostgres {
    public static var url: String? { ProcessInfo.processInfo.environment["MATTER_CA_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }
    public static var passwordFile: String? { ProcessInfo.processInfo.environment["MATTER_CA_TEST_POSTGRES_PASSWORD_FILE"] }
    public static let missing: Comment = "skipped: no PostgreSQL cluster (MATTER_CA_TEST_POSTGRES_URL is unset; scripts/test starts one when Debian's postgresql is installed)"

    /// What a matter-ca process needs to reach the cluster (the password through its file, never argv).
    public static var environment: [String: String] { passwordFile.map { ["MATTER_CA_LEDGER_PASSWORD_FILE": $0] } ?? [:] }

    /// A new, empty database on the cluster; its URL.
    public static func database(_ prefix: String = "mca_t") throws -> String {
        guard let url else { throw TestHome.Failure(description: "no PostgreSQL cluster") }
        let name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        _ = try psql(url, "CREATE DATABASE \(name)")
        return url.replacingOccurrences(of: "/postgres", with: "/\(name)")
    }

    /// psql on `url`, one statement, unaligned tuples only; the password goes in through PGPASSFILE-free PGPASSWORD
    /// in the child's environment.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        var env: [String: String] = [:]
        if let f = passwordFile, let p = try? String(contentsOfFile: f, encoding: .utf8) { env["PGPASSWORD"] = p.trimmingCharacters(in: .whitespacesAndNewlines) }
        let r = try CLI.exec("psql", [url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], environment: env)
        guard r.status == 0 else { throw TestHome.Failure(description: "psql \(sql): \(r.output)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Row counts of the ledger's tables and its audit head, to show that an operation changed nothing.
    public static func ledgerState(_ url: String) throws -> String {
        try psql(url, """
            SELECT (SELECT COUNT(*) FROM authorities), (SELECT COUNT(*) FROM certificates), (SELECT COUNT(*) FROM ceremonies),
                   (SELECT COUNT(*) FROM audit_log), (SELECT COUNT(*) FROM revocations), (SELECT COUNT(*) FROM batches),
                   (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)
            """)
    }
}

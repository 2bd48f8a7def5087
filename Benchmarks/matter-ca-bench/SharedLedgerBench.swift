import Crypto
import Foundation
import Ledger

/// Issue #13: the PostgreSQL ledger's per-transaction cost against SQLite's, and EST issuance with 1, 2 and 3 `serve`
/// instances sharing one PostgreSQL ledger and one token. It starts a throwaway cluster of its own
/// (scripts/pg-cluster) and drives the release `matter-ca` binary beside this one.
enum SharedLedgerBench {
    /// The package (scripts/pg-cluster, VendorRegistry/), from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Fresh rows made cheaply (a counter in the DER keeps serials and hashes unique), so the timing is the ledger's.
    nonisolated(unsafe) static var counter: UInt64 = 0
    static let filler = [UInt8](repeating: 0x5A, count: 472)
    static func certificates(_ n: Int, issuer: String) -> [CertificateRecord] {
        (0..<n).map { _ in
            counter += 1
            let der = Data(withUnsafeBytes(of: counter.bigEndian) { Array($0) } + filler)
            let serial = String(format: "1%015llX", counter)
            return CertificateRecord(issuerSKID: issuer, serial: serial, type: "dac", subject: "CN=bench", skid: serial, vid: 0xFFF1, pid: 0x8000,
                                     notBefore: Date(), notAfter: Date(), der: der, sha256: SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(),
                                     batchID: nil, batchItem: nil, createdAt: Date())
        }
    }

    /// Transactions per second of one ledger: an audit entry alone, and groups of 1 and 100 certificates.
    static func transactions(_ ledger: any Ledger, seconds: Double) throws -> [Double] {
        func measure(_ body: () throws -> Void) rethrows -> Double {
            var n = 0
            let start = Date()
            while Date().timeIntervalSince(start) < seconds { try body(); n += 1 }
            return Double(n) / Date().timeIntervalSince(start)
        }
        let audit = try measure { try ledger.audit(actor: "bench", action: "bench", payload: ["n": "1"]) }
        let one = try measure {
            try ledger.recordCertificates([CertificateGroup(certificates: certificates(1, issuer: "BE"), actor: "bench", action: "bench", payload: [:])])
        }
        let hundred = try measure {
            try ledger.recordCertificates([CertificateGroup(certificates: certificates(100, issuer: "BE"), actor: "bench", action: "bench", payload: [:])])
        }
        return [audit, one, hundred]
    }

    static func run(seconds: Double) throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("mca-bench-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        setenv("MATTER_CA_PG_STATE", state.appendingPathComponent("pg").path, 1)
        guard let env = toolOutput([root.appendingPathComponent("scripts/pg-cluster").path, "start"]), env.contains("MATTER_CA_TEST_POSTGRES_URL=") else {
            print("  no PostgreSQL cluster (Debian: postgresql); skipped"); return
        }
        defer { _ = toolOutput([root.appendingPathComponent("scripts/pg-cluster").path, "stop"]) }
        var vars: [String: String] = [:]
        for line in env.split(separator: "\n") {
            let kv = line.replacingOccurrences(of: "export ", with: "").split(separator: "=", maxSplits: 1)
            if kv.count == 2 { vars[String(kv[0])] = String(kv[1]) }
        }
        let base = vars["MATTER_CA_TEST_POSTGRES_URL"]!
        let password = try String(contentsOfFile: vars["MATTER_CA_TEST_POSTGRES_PASSWORD_FILE"]!, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // psql reads the throwaway cluster's password from the environment, never argv.
        setenv("PGPASSWORD", password, 1)
        func database(_ name: String) throws -> String {
            guard toolOutput(["psql", base, "-qAtc", "CREATE DATABASE \(name)"]) != nil else { throw BenchFailure(description: "psql is missing") }
            return base.replacingOccurrences(of: "/postgres", with: "/\(name)")
        }

        // 1. Per transaction, both engines, same run.
        let sqlite = try SQLiteLedger(path: state.appendingPathComponent("bench.sqlite").path)
        let pg = try PostgresLedger(url: try database("bench_tx"), password: password)
        let s = try transactions(sqlite, seconds: seconds / 2), p = try transactions(pg, seconds: seconds / 2)
        for (i, label) in ["audit entry alone", "1 certificate + its entry", "100 certificates + their entry"].enumerated() {
            print(String(format: "  %-34@ SQLite %7.0f tx/s   PostgreSQL %7.0f tx/s   PostgreSQL/SQLite %.2f (%.2f ms vs %.2f ms)",
                         label as NSString, s[i], p[i], p[i] / s[i], 1000 / p[i], 1000 / s[i]))
        }

        // 2. EST issuance through 1, 2 and 3 instances of one home on one PostgreSQL ledger.
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("matter-ca")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            print("  \(binary.path) is missing: build it first (swift build -c release --product matter-ca); instances skipped"); return
        }
        try Instances(binary: binary, ledgerURL: try database("bench_instances"), password: password, dir: state).run(seconds: max(2, Int(seconds)))
    }
}

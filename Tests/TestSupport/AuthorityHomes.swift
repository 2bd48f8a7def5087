import Foundation

/// Fresh authority homes driven through the CLI with a real SoftHSM2 token.
public struct TestHome: Sendable {
    public let root: URL
    public let pin: String
    public let soPIN: String
    public var path: String { root.path }

    public static var softHSMAvailable: Bool { FileManager.default.fileExists(atPath: "/usr/lib/softhsm/libsofthsm2.so") }
    public static let softHSMMissing: Comment = "SoftHSM2 is not installed (.ci/run installs softhsm2)"

    /// A new home, initialised (`matter-ca init`, on the PostgreSQL ledger at `ledgerURL` when given) unless
    /// `initialise` is false. PINs are random per home.
    public init(initialise: Bool = true, ledgerURL: String? = nil) throws {
        root = try CLI.tempDirectory("home").appendingPathComponent("home")
        pin = "pin-" + UUID().uuidString.prefix(8)
        soPIN = "so-" + UUID().uuidString.prefix(8)
        if initialise {
            let r = try run(["init"] + (ledgerURL.map { ["--ledger", $0] } ?? []))
            guard r.status == 0 else { throw Failure(description: "init failed: \(r.output)") }
        }
    }

    /// A home at an existing directory, not initialised.
    public init(root: URL) {
        self.root = root
        pin = "pin-" + UUID().uuidString.prefix(8)
        soPIN = "so-" + UUID().uuidString.prefix(8)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public var environment: [String: String] {
        ["MATTER_CA_PIN": pin, "MATTER_CA_SO_PIN": soPIN, "MATTER_CA_HOME": root.path].merging(TestPostgres.environment) { a, _ in a }
    }

    public func run(_ args: [String], pin overridePIN: String? = nil) throws -> CLI.Result {
        var env = environment
        if let overridePIN { env["MATTER_CA_PIN"] = overridePIN }
        return try CLI.run(args, environment: env)
    }

    /// Row counts and the audit head, to show an operation changed nothing.
    public func ledgerState() throws -> String {
        let q = "SELECT (SELECT COUNT(*) FROM authorities), (SELECT COUNT(*) FROM certificates), (SELECT COUNT(*) FROM ceremonies), (SELECT COUNT(*) FROM audit_log), (SELECT COUNT(*) FROM revocations), (SELECT COUNT(*) FROM crls), (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1);"
        return try CLI.exec("sqlite3", [root.appendingPathComponent("ledger.sqlite").path, q]).stdout
    }

    /// SoftHSM2 keeps each token object in a file: path (token folder/object) → bytes of every key object on the
    /// home's tokens (token.object, the token's own record, changes at every login and is left out).
    public func tokenObjects() throws -> [String: Data] {
        let dir = root.appendingPathComponent("tokens")
        var out: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: dir.path)! where path.hasSuffix(".object") && !path.hasSuffix("token.object") {
            out[path] = try Data(contentsOf: dir.appendingPathComponent(path))
        }
        return out
    }

    public func json(_ args: [String]) throws -> Any {
        let r = try run(args + ["--json"])
        guard r.status == 0 else { throw Failure(description: "\(args): \(r.output)") }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    /// `paa create` then `pai issue`; returns (PAA SKID, PAI SKID).
    public func ceremonies(paaVID: String? = nil, paiVID: String = "FFF1") throws -> (paa: String, pai: String) {
        let paa = try json(["paa", "create", "--cn", "Test PAA"] + (paaVID.map { ["--vid", $0] } ?? [])) as! [String: Any]
        let pai = try json(["pai", "issue", "--paa", paa["skid"] as! String, "--vid", paiVID, "--cn", "Test PAI"]) as! [String: Any]
        return (paa["skid"] as! String, pai["skid"] as! String)
    }

    /// pkcs11-tool (OpenSC) listing private keys; the PIN goes in through a terminal (script), never argv.
    public func listPrivateKeysWithOpenSC() throws -> String {
        try pkcs11Tool(["--list-objects", "--type", "privkey"])
    }

    /// pkcs11-tool (OpenSC) on the home's token, logged in; the PIN goes in through a terminal (script), never argv.
    public func pkcs11Tool(_ args: [String], loginPIN: String? = nil) throws -> String {
        let cmd = "(sleep 1; printf '%s\\n' \"$PIN\"; sleep 4) | SOFTHSM2_CONF=\"$CONF\" script -qec \"pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so --login \(args.joined(separator: " "))\" /dev/null"
        // script(1) runs it on a terminal, which ends lines with CR LF; the stdin kept open a while so that script
        // does not hang up on pkcs11-tool before it has listed everything.
        return try CLI.exec("/bin/sh", ["-c", cmd], environment: ["PIN": loginPIN ?? pin, "CONF": root.appendingPathComponent("softhsm2.conf").path])
            .output.replacingOccurrences(of: "\r", with: "")
    }
}

import Testing

import Foundation

/// The authority's home directory: ledger, SoftHSM2 configuration and token store, issued files, transcripts.
public struct AuthorityHome: Sendable {
    public let root: URL
    public var ledger: URL { root.appendingPathComponent("ledger.sqlite") }
    public var softHSMConfig: URL { root.appendingPathComponent("softhsm2.conf") }
    public var tokenDirectory: URL { root.appendingPathComponent("tokens") }
    public var certificates: URL { root.appendingPathComponent("certificates") }
    public var transcripts: URL { root.appendingPathComponent("ceremonies") }
    public var settings: URL { root.appendingPathComponent("authority.json") }

    /// `--home`, else `$MATTER_CA_HOME`, else `./.matter-ca`.
    public init(explicit: String?) {
        let path = explicit ?? ProcessInfo.processInfo.environment["MATTER_CA_HOME"] ?? ".matter-ca"
        root = URL(fileURLWithPath: path).standardizedFileURL
    }
    public init(root: URL) { self.root = root }

    public var exists: Bool { FileManager.default.fileExists(atPath: ledger.path) || FileManager.default.fileExists(atPath: settings.path) }
}

/// What `init` decided, read by every later command.
public struct AuthoritySettings: Codable, Sendable {
    public var tokenLabel: String
    public var pkcs11Module: String
    /// Set when the token is the home's own SoftHSM2 token.
    public var softHSMConfig: String?
}

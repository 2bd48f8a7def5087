import Foundation
import Ledger

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

    public func loadSettings() throws -> AuthoritySettings {
        guard FileManager.default.fileExists(atPath: settings.path) else { throw AuthorityError.notInitialized(root.path) }
        let s: AuthoritySettings
        do { s = try JSONDecoder().decode(AuthoritySettings.self, from: Data(contentsOf: settings)) } catch {
            throw AuthorityError.refused("\(settings.path) is not a matter-ca settings file")
        }
        // A home on the embedded ledger without its file was never finished (or lost its ledger): not initialised.
        guard s.ledgerURL != nil || FileManager.default.fileExists(atPath: ledger.path) else { throw AuthorityError.notInitialized(root.path) }
        return s
    }

    /// The ledger alone, without the token: for the commands that only read it or import the vendor registry.
    public func openLedger(clock: @escaping @Sendable () -> Date = { Date() }) throws -> any Ledger {
        try LedgerLocation.open(home: self, settings: try loadSettings(), clock: clock)
    }
}

/// What `init` decided, read by every later command.
public struct AuthoritySettings: Codable, Sendable {
    public var tokenLabel: String
    public var pkcs11Module: String
    /// Set when the token is the home's own SoftHSM2 token.
    public var softHSMConfig: String?
    /// CKA_ID (hex) of the token key that signs audit checkpoints.
    public var checkpointKeyID: String?
    /// A PostgreSQL ledger (`postgres://user@host:port/database`, no password); nil: the home's own SQLite file.
    public var ledgerURL: String?
    /// Set when PAA keys live on a root token opened by a quorum of custodians (`init --custodians N --quorum M`).
    public var custody: CustodySettings?
}

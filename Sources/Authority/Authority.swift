import CertificateTemplates
import Custody
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

/// The workflows of the authority over its token and ledger. Split by job: `Inventory` (reads, no token),
/// `Authorization` (principal → grant), `Issuer` (the one issue path), ceremonies, the batch runner and its output,
/// audit checkpoints, `Doctor`.
public final class Authority: @unchecked Sendable {
    /// matter-ca's version, named in ceremony transcripts.
    public static let version = "0.14.0"
    public let home: AuthorityHome
    public let settings: AuthoritySettings
    public let ledger: any Ledger
    public let pool: SessionPool
    public let templates: [CertificateType: Template]
    /// The operator at the CLI; front ends pass their own principal to `authorize`.
    public let actor: String
    /// Every workflow takes its time from here (tests pin it).
    public let clock: @Sendable () -> Date
    /// Certificates signed through the one issue path in this process, by type (tests count calls; metrics read it).
    public static let issued = IssuanceCounter()
    var faults = FaultInjection()

    public var inventory: Inventory { Inventory(ledger: ledger) }
    /// Single certificates of concurrent requests, committed together.
    let singles: GroupCommit
    /// Issuer contexts (certificate, token key) by SKID.
    let issuers = IssuerCache()
    /// What a DAC request's authorization read (vendor, PAI), by VID, PID and PAI key, while no change is audited.
    let dacFacts: LedgerFactsCache<String, DACFacts>
    /// How to obtain custodian shares when a PAA key on the root token is needed; nil (a server): refused.
    public var shareSource: ShareSource?
    let root = Locked(RootState())

    /// Opens an initialised home: the token (logged in with `pin`) and the ledger.
    public init(home: AuthorityHome, pin: [UInt8], moduleOverride: String? = nil, templatesDirectory: URL? = nil, sessions: Int = 4,
                clock: @escaping @Sendable () -> Date = { Date() }) throws {
        self.home = home
        settings = try home.loadSettings()
        self.clock = clock
        let opened = try Self.openPool(settings, module: moduleOverride, pin: pin, sessions: sessions)
        pool = opened.pool
        ledger = try LedgerLocation.open(home: home, settings: settings, clock: clock)
        singles = GroupCommit(ledger: ledger)
        dacFacts = LedgerFactsCache(ledger: ledger)
        templates = try TemplateLoader.loadOrDefault(directory: templatesDirectory)
        actor = Self.currentActor()
        if !opened.restoredTokenState.isEmpty {
            try ledger.audit(actor: actor, action: "token.state-restored",
                             payload: ["reason": "SoftHSM2 token.object found empty (a process killed while rewriting it); restored from the last good copy",
                                       "tokens": opened.restoredTokenState.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ",")])
        }
    }

    /// A pool of sessions on the home's token (with a nil PIN it sees public objects only), and the token
    /// directories whose SoftHSM2 state had to be restored on the way, for the caller to record.
    static func openPool(_ settings: AuthoritySettings, module: String?, pin: [UInt8]?, sessions: Int) throws
        -> (pool: SessionPool, restoredTokenState: [String]) {
        let open = {
            do {
                let m = try PKCS11Module.load(path: module ?? settings.pkcs11Module)
                return try SessionPool(module: m, tokenLabel: settings.tokenLabel, pin: pin, size: sessions)
            } catch { throw AuthorityError.from(error) }
        }
        guard let conf = settings.softHSMConfig else { return (try open(), []) }
        setenv("SOFTHSM2_CONF", conf, 1)
        return try SoftHSMStateGuard.withLoginLock(configPath: conf) {
            let restored = SoftHSMStateGuard.protect(configPath: conf)
            return (try open(), restored)
        }
    }

    /// Who is at the CLI: MATTER_CA_ACTOR, else the login name, at this host. It is data in the audit chain (hashed
    /// length-prefixed), so no value can shift a field boundary.
    public static func currentActor() -> String {
        let env = ProcessInfo.processInfo.environment
        return (env["MATTER_CA_ACTOR"] ?? env["USER"] ?? "operator") + "@" + ProcessInfo.processInfo.hostName
    }

    public func signer(for authority: AuthorityRecord) throws -> PKCS11Signer {
        guard let id = [UInt8](hex: authority.skid) else { throw AuthorityError.refused("bad SKID \(authority.skid) in the ledger") }
        let keys = try keyPool(tokenLabel: authority.tokenLabel, for: "\(authority.type.uppercased()) \"\(authority.name)\"")
        do { return try PKCS11Signer(pool: keys, keyID: id) } catch { throw AuthorityError.from(error) }
    }
}

/// Counts of certificates signed through the one issue path.
public final class IssuanceCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [CertificateType: Int] = [:]
    func add(_ t: CertificateType, _ n: Int = 1) { lock.withLock { counts[t, default: 0] += n } }
    public func count(_ t: CertificateType) -> Int { lock.withLock { counts[t] ?? 0 } }
    public var total: Int { lock.withLock { counts.values.reduce(0, +) } }
}

/// Faults that tests inject where no outside condition can provoke them reliably.
struct FaultInjection: Sendable {
    /// Ceremony files fail to write after the ceremony committed.
    var ceremonyOutput = false
}

/// A value behind a lock.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T { try lock.withLock { try body(&value) } }
}

final class IssuerCache: @unchecked Sendable {
    private let lock = NSLock()
    private var byID: [String: IssuerContext] = [:]
    func get(_ id: String) -> IssuerContext? { lock.withLock { byID[id] } }
    func set(_ id: String, _ c: IssuerContext) { lock.withLock { byID[id] = c } }
}

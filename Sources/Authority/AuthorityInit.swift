import Custody
import Foundation
import Ledger
import Signing
#if canImport(Glibc)
import Glibc
#endif

extension Authority {
    public static let checkpointKeyLabel = "matter-ca audit checkpoints"

    /// `init --custodians N --quorum M`: who the custodians are, and how their shares reach them (`deliver` is called
    /// once with all N shares, inside init: if it fails, init undoes everything, so no share of a discarded token
    /// survives as if it mattered).
    public struct CustodyRequest {
        public var custodians: [String]
        public var quorum: Int
        public var rootTokenLabel: String
        public var deliver: ([Share]) throws -> Void
        public init(custodians: [String], quorum: Int, rootTokenLabel: String, deliver: @escaping ([Share]) throws -> Void) {
            self.custodians = custodians; self.quorum = quorum; self.rootTokenLabel = rootTokenLabel; self.deliver = deliver
        }
    }

    /// `matter-ca init`: the home, a SoftHSM2 token of its own (or a token of `module`), the ledger, and the token
    /// key that signs audit checkpoints. Refuses an existing home. PINs come from the caller (environment, a file
    /// or a prompt), never from argv.
    @discardableResult
    public static func initialize(home: AuthorityHome, pin: [UInt8], soPIN: [UInt8], module: String? = nil,
                                  tokenLabel: String = "matter-ca", ledgerURL: String? = nil, custody: CustodyRequest? = nil,
                                  clock: @escaping @Sendable () -> Date = { Date() }) throws -> AuthoritySettings {
        guard !home.exists else { throw AuthorityError.homeExists(home.root.path) }
        // A shared ledger is checked before anything is made: reachable, and holding no other authority's records
        // (another server joins an authority by sharing its home, not by a second init).
        var shared: PostgresLedger?
        if let url = ledgerURL {
            do {
                let l = try LedgerLocation.postgres(url, clock: clock)
                let rows = try l.counts().values.reduce(0, +)
                guard rows == 0 else {
                    throw AuthorityError.refused("the ledger at \(l.location) already holds \(rows) rows of an authority; a server joins that authority by sharing its home, not by init")
                }
                shared = l
            } catch { throw AuthorityError.from(error) }
        }
        let modulePath = PKCS11Module.defaultPath(explicit: module)
        let ownSoftHSM = modulePath == PKCS11Module.softHSM2Path
        let fm = FileManager.default
        let rootExisted = fm.fileExists(atPath: home.root.path)
        var created: [URL] = []
        var settings = AuthoritySettings(tokenLabel: tokenLabel, pkcs11Module: modulePath, softHSMConfig: nil, checkpointKeyID: nil, ledgerURL: ledgerURL)
        do {
            try fm.createDirectory(at: home.root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // An existing directory keeps its contents, but the authority's files are the owner's alone.
            chmod(home.root.path, 0o700)
            if ownSoftHSM {
                try fm.createDirectory(at: home.tokenDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                created.append(home.tokenDirectory)
                let conf = "directories.tokendir = \(home.tokenDirectory.path)\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
                try FileOutput.write(Data(conf.utf8), to: home.softHSMConfig, mode: 0o600)
                created.append(home.softHSMConfig)
                setenv("SOFTHSM2_CONF", home.softHSMConfig.path, 1)
                settings.softHSMConfig = home.softHSMConfig.path
            }
            let module = try PKCS11Module.load(path: modulePath)
            _ = try module.initializeToken(label: tokenLabel, soPIN: soPIN, userPIN: pin)
            if let custody {
                // No session is open yet: the module may be initialised again to offer the root token a free slot.
                try module.rescanSlots()
                settings.custody = try initializeRootToken(module: module, custody)
            }
            let pool = try SessionPool(module: module, tokenLabel: tokenLabel, pin: pin, size: 1)
            let checkpointKey = try PKCS11Signer.generate(pool: pool, label: checkpointKeyLabel)
            settings.checkpointKeyID = checkpointKey.keyID.map { String(format: "%02X", $0) }.joined()
            let ledger: any Ledger
            if let shared { ledger = shared } else {
                created += [home.ledger, URL(fileURLWithPath: home.ledger.path + "-wal"), URL(fileURLWithPath: home.ledger.path + "-shm")]
                ledger = try SQLiteLedger(path: home.ledger.path, clock: clock)
            }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try FileOutput.write(try enc.encode(settings), to: home.settings, mode: 0o600)
            created.append(home.settings)
            var facts = ["token": tokenLabel, "module": modulePath, "checkpointKey": settings.checkpointKeyID ?? ""]
            if let c = settings.custody {
                facts["rootToken"] = c.rootTokenLabel
                facts["custodians"] = c.custodians.joined(separator: ",")
                facts["quorum"] = "\(c.quorum) of \(c.custodians.count)"
                facts["shareSet"] = c.setID
            }
            try ledger.audit(actor: currentActor(), action: "authority.init", payload: facts)
            try AuditCheckpoints.sign(ledger: ledger, pool: pool, keyID: checkpointKey.keyID, at: clock())
            // The first good copy of the token's state, before any later login rewrites it.
            if let conf = settings.softHSMConfig { SoftHSMStateGuard.protect(configPath: conf) }
        } catch {
            // Nothing half-made: a failed init removes what it created, and only that (the directory may be the
            // operator's own).
            for url in created.reversed() { try? fm.removeItem(at: url) }
            if !rootExisted { try? fm.removeItem(at: home.root) }
            throw AuthorityError.from(error)
        }
        return settings
    }
}

extension Authority {
    /// The root token: PINs derived from a fresh secret that exists only until its shares are made and delivered.
    static func initializeRootToken(module: PKCS11Module, _ request: CustodyRequest) throws -> CustodySettings {
        guard request.custodians.count == Set(request.custodians).count, request.custodians.allSatisfy({ !$0.isEmpty && !$0.contains(",") }) else {
            throw AuthorityError.refused("custodian IDs must be distinct, non-empty and without commas")
        }
        var (secret, shares) = try RootSecret.make(custodians: request.custodians.count, quorum: request.quorum)
        var (user, so) = RootSecret.pins(from: secret)
        defer {
            wipe(&secret); wipe(&user); wipe(&so)
            for i in shares.indices { shares[i].wipePayload() }
        }
        _ = try module.initializeToken(label: request.rootTokenLabel, soPIN: so, userPIN: user)
        // The derived PIN opens it before any share leaves.
        _ = try SessionPool(module: module, tokenLabel: request.rootTokenLabel, pin: user, size: 1, retainPIN: false)
        try request.deliver(shares)
        return CustodySettings(rootTokenLabel: request.rootTokenLabel, custodians: request.custodians, quorum: request.quorum, setID: shares[0].setID)
    }
}

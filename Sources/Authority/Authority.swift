import CertificateTemplates
import Crypto
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

/// The workflows of the authority over its token and ledger.
public final class Authority: @unchecked Sendable {
    public let home: AuthorityHome
    public let settings: AuthoritySettings
    public let ledger: Ledger
    public let pool: SessionPool
    public let templates: [CertificateType: Template]
    public let actor: String

    /// Opens an initialised home: the token (logged in with `pin`) and the ledger.
    public init(home: AuthorityHome, pin: [UInt8], moduleOverride: String? = nil, templatesDirectory: URL? = nil, sessions: Int = 4) throws {
        guard FileManager.default.fileExists(atPath: home.settings.path), FileManager.default.fileExists(atPath: home.ledger.path) else {
            throw AuthorityError.notInitialized(home.root.path)
        }
        self.home = home
        settings = try JSONDecoder().decode(AuthoritySettings.self, from: Data(contentsOf: home.settings))
        if let conf = settings.softHSMConfig { setenv("SOFTHSM2_CONF", conf, 1) }
        do {
            let module = try PKCS11Module.load(path: moduleOverride ?? settings.pkcs11Module)
            pool = try SessionPool(module: module, tokenLabel: settings.tokenLabel, pin: pin, size: sessions)
        } catch { throw AuthorityError.from(error) }
        ledger = try Ledger(path: home.ledger.path)
        templates = try TemplateLoader.loadOrDefault(directory: templatesDirectory)
        actor = Self.currentActor()
    }

    public static func currentActor() -> String {
        let env = ProcessInfo.processInfo.environment
        return (env["MATTER_CA_ACTOR"] ?? env["USER"] ?? "operator") + "@" + ProcessInfo.processInfo.hostName
    }

    /// `matter-ca init`: the home, a SoftHSM2 token of its own (or a token of `module`), the ledger. Refuses an
    /// existing home. PINs come from the caller (environment or prompt), never from argv.
    @discardableResult
    public static func initialize(home: AuthorityHome, pin: [UInt8], soPIN: [UInt8], module: String? = nil,
                                  tokenLabel: String = "matter-ca") throws -> AuthoritySettings {
        guard !home.exists else { throw AuthorityError.homeExists(home.root.path) }
        let modulePath = PKCS11Module.defaultPath(explicit: module)
        let ownSoftHSM = modulePath == PKCS11Module.softHSM2Path
        let fm = FileManager.default
        let rootExisted = fm.fileExists(atPath: home.root.path)
        try fm.createDirectory(at: home.root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var settings = AuthoritySettings(tokenLabel: tokenLabel, pkcs11Module: modulePath, softHSMConfig: nil)
        do {
            if ownSoftHSM {
                try fm.createDirectory(at: home.tokenDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                let conf = "directories.tokendir = \(home.tokenDirectory.path)\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
                try Data(conf.utf8).write(to: home.softHSMConfig)
                setenv("SOFTHSM2_CONF", home.softHSMConfig.path, 1)
                settings.softHSMConfig = home.softHSMConfig.path
            }
            let module = try PKCS11Module.load(path: modulePath)
            _ = try module.initializeToken(label: tokenLabel, soPIN: soPIN, userPIN: pin)
            let ledger = try Ledger(path: home.ledger.path)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(settings).write(to: home.settings)
            try ledger.audit(actor: currentActor(), action: "authority.init", payload: ["token": tokenLabel, "module": modulePath])
        } catch {
            // Nothing half-made: a failed init removes what it created, and only that (the directory may be the
            // operator's own).
            for url in [home.softHSMConfig, home.tokenDirectory, home.settings, home.ledger,
                        URL(fileURLWithPath: home.ledger.path + "-wal"), URL(fileURLWithPath: home.ledger.path + "-shm")] {
                try? fm.removeItem(at: url)
            }
            if !rootExisted { try? fm.removeItem(at: home.root) }
            throw AuthorityError.from(error)
        }
        return settings
    }

    // MARK: inventory

    public func signer(for authority: AuthorityRecord) throws -> PKCS11Signer {
        guard let id = [UInt8](hex: authority.skid) else { throw AuthorityError.refused("bad SKID \(authority.skid) in the ledger") }
        do { return try PKCS11Signer(pool: pool, keyID: id) } catch { throw AuthorityError.from(error) }
    }

    /// An authority by SKID (hex) or by name.
    public func authority(_ key: String, type: String) throws -> AuthorityRecord {
        let all = try ledger.authorities(type: type)
        if let bySKID = all.first(where: { $0.skid == key.uppercased() }) { return bySKID }
        let byName = all.filter { $0.name == key }
        guard !byName.isEmpty else { throw AuthorityError.unknownAuthority(key, type: type) }
        guard byName.count == 1 else { throw AuthorityError.ambiguousAuthority(key, byName.map(\.skid)) }
        return byName[0]
    }

    public func certificate(of authority: AuthorityRecord) throws -> ParsedCertificate {
        guard let rec = try ledger.certificates(matching: authority.skid).first(where: { $0.skid == authority.skid }) else {
            throw AuthorityError.refused("the ledger has no certificate for \(authority.skid)")
        }
        return try ParsedCertificate(der: Array(rec.der))
    }
}

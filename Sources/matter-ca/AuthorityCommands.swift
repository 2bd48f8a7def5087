import ArgumentParser
import Authority
import CertificateTemplates
import Foundation
import Ledger
import MatterPKI

struct HomeOptions: ParsableArguments {
    @Option(help: "Authority home (default: $MATTER_CA_HOME, else ./.matter-ca).") var home: String?
    @Option(help: "PKCS#11 module (default: $MATTER_CA_PKCS11_MODULE, else the one chosen at init).") var pkcs11Module: String?

    var authorityHome: AuthorityHome { AuthorityHome(explicit: home) }

    /// The authority, logged in with MATTER_CA_PIN (or a prompt).
    func open() throws -> Authority {
        let h = authorityHome
        guard h.exists else { throw CLIExit.refused(AuthorityError.notInitialized(h.root.path).description) }
        let pin = try Secrets.pin("MATTER_CA_PIN", prompt: "Token user PIN")
        do { return try Authority(home: h, pin: pin, moduleOverride: pkcs11Module) } catch { throw CLIExit.refused("\(error)") }
    }

    /// The ledger alone (no token, no PIN): for read-only commands.
    func ledger() throws -> Ledger {
        let h = authorityHome
        guard FileManager.default.fileExists(atPath: h.ledger.path) else { throw CLIExit.refused(AuthorityError.notInitialized(h.root.path).description) }
        do { return try Ledger(path: h.ledger.path) } catch { throw CLIExit.refused("ledger: \(error)") }
    }
}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the authority home: ledger and a PKCS#11 token of its own (SoftHSM2 by default).",
        discussion: "PINs come from MATTER_CA_PIN and MATTER_CA_SO_PIN, or an interactive prompt; never from the command line. An existing home is never overwritten.")
    @OptionGroup var options: HomeOptions
    @Option(help: "Token label.") var tokenLabel = "matter-ca"

    func run() throws {
        let home = options.authorityHome
        guard !home.exists else { throw CLIExit.refused(AuthorityError.homeExists(home.root.path).description) }
        let pin = try Secrets.pin("MATTER_CA_PIN", prompt: "New token user PIN")
        let so = try Secrets.pin("MATTER_CA_SO_PIN", prompt: "New token security-officer PIN")
        do {
            let s = try Authority.initialize(home: home, pin: pin, soPIN: so, module: options.pkcs11Module, tokenLabel: tokenLabel)
            writeStdout("initialised \(home.root.path): token \"\(s.tokenLabel)\" (\(s.pkcs11Module)), ledger \(home.ledger.path)\n")
        } catch { throw CLIExit.refused("\(error)") }
    }
}

struct PAACommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "paa", abstract: "PAA ceremonies.", subcommands: [PAACreate.self])
}

struct PAACreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Generate a PAA key in the token and self-sign the PAA (a key ceremony).")
    @OptionGroup var options: HomeOptions
    @Option(help: "Common name.") var cn: String
    @Option(help: "VID for a VID-scoped PAA (hex); none by default.") var vid: String?
    @Option(help: "Lifetime in days (default: Templates/paa.yaml).") var lifetimeDays: Int?
    @Flag(help: "No well-defined expiry (notAfter 99991231235959Z).") var noExpiry = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let v: VendorID? = try vid.map { try InputFiles.matterID($0, "--vid") }
        guard !(noExpiry && lifetimeDays != nil) else { throw CLIExit.unreadable("--lifetime-days and --no-expiry exclude each other") }
        if let d = lifetimeDays, d < 1 { throw CLIExit.unreadable("--lifetime-days must be at least 1") }
        let lifetime: Template.Lifetime? = noExpiry ? .noWellDefinedExpiry : lifetimeDays.map { .days($0) }
        let authority = try options.open()
        do { report(try authority.createPAA(name: cn, vid: v, lifetime: lifetime), json: json) } catch { throw CLIExit.refused("\(error)") }
    }
}

struct PAICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pai", abstract: "PAI ceremonies.", subcommands: [PAIIssue.self])
}

struct PAIIssue: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "issue", abstract: "Generate a PAI key in the token and sign the PAI with a PAA's token key.")
    @OptionGroup var options: HomeOptions
    @Option(help: "The PAA: SKID or name.") var paa: String
    @Option(help: "VID (hex).") var vid: String
    @Option(help: "PID (hex), for a PAI scoped to one product.") var pid: String?
    @Option(help: "Common name.") var cn: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let v: VendorID = try InputFiles.matterID(vid, "--vid")
        let p: ProductID? = try pid.map { try InputFiles.matterID($0, "--pid") }
        let authority = try options.open()
        do { report(try authority.issuePAI(paa: paa, vid: v, pid: p, name: cn), json: json) } catch { throw CLIExit.refused("\(error)") }
    }
}

struct CeremonyReport: Encodable { let type, name, skid, serial, subject, sha256, transcript: String; let files: [String] }

func report(_ r: CeremonyResult, json: Bool) {
    let c = r.certificate.certificate
    let rep = CeremonyReport(type: r.authority.type, name: r.authority.name, skid: r.authority.skid, serial: c.serialHex, subject: "\(c.subject)",
                             sha256: c.sha256.hexString, transcript: r.transcript.path, files: r.files.map(\.path))
    if json { writeStdout(jsonString(rep)) } else {
        writeStdout("\(rep.type.uppercased()) \(rep.subject)\n  SKID \(rep.skid)\n  serial \(rep.serial)\n  certificate \(rep.files[0])\n  transcript \(rep.transcript)\n")
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List PAAs, PAIs or DACs in the ledger.")
    @OptionGroup var options: HomeOptions
    @Argument(help: "paa, pai or dac (default: all certificates).") var type: String?
    @Option(help: "DACs of this vendor (hex VID).") var vendor: String?
    @Option(help: "DACs of this batch (ID).") var batch: String?
    @Flag(help: "Print JSON.") var json = false

    struct Item: Encodable { let type, serial, skid, issuerSKID, subject, notBefore, notAfter, status, sha256: String; let batch: String? }

    func run() throws {
        if let t = type, !["paa", "pai", "dac"].contains(t) { throw CLIExit.unreadable("list: \(t) is not paa, pai or dac") }
        let vid = try vendor.map { Int((try InputFiles.matterID($0, "--vendor") as VendorID).rawValue) }
        if (vid != nil || batch != nil) && type != "dac" { throw CLIExit.unreadable("--vendor and --batch filter DACs: use list dac") }
        let ledger = try options.ledger()
        let records = vid != nil || batch != nil ? try ledger.dacs(vid: vid, batchID: batch) : try ledger.certificates(type: type)
        let items = records.map {
            Item(type: $0.type, serial: $0.serial, skid: $0.skid, issuerSKID: $0.issuerSKID, subject: $0.subject,
                 notBefore: "\($0.notBefore)", notAfter: "\($0.notAfter)", status: $0.status, sha256: $0.sha256, batch: $0.batchID)
        }
        if json { writeStdout(jsonString(items)); return }
        for i in items { writeStdout("\(i.type.uppercased())  \(i.skid)  serial \(i.serial)  \(i.subject)  [\(i.status)]\n") }
        if items.isEmpty { writeStdout("(none)\n") }
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a certificate from the ledger by serial or SKID.")
    @OptionGroup var options: HomeOptions
    @Argument(help: "Serial or SKID (hex).") var key: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let found = try options.ledger().certificates(matching: key)
        guard let r = found.first else { throw CLIExit.refused("no certificate with serial or SKID \(key) in the ledger") }
        let c = try ParsedCertificate(der: Array(r.der))
        if json {
            writeStdout(jsonString(["type": r.type, "serial": r.serial, "skid": r.skid, "issuerSKID": r.issuerSKID, "subject": "\(c.subject)",
                                    "issuer": "\(c.issuer)", "notBefore": "\(c.notBefore)", "notAfter": "\(c.notAfter)",
                                    "status": r.status, "sha256": r.sha256, "pem": CertificateFile.pem(Array(r.der))]))
        } else {
            writeStdout("\(r.type.uppercased()) \(c.subject)\n  issuer \(c.issuer)\n  serial \(r.serial)\n  SKID \(r.skid)\n  validity \(c.notBefore) … \(c.notAfter)\n  status \(r.status)\n  SHA-256 \(r.sha256)\n")
        }
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a certificate (by SKID or serial) as PEM or DER. Keys never leave the token.")
    @OptionGroup var options: HomeOptions
    @Argument(help: "SKID or serial (hex).") var key: String
    @Option(help: "pem or der.") var format = "pem"
    @Option(help: "Output file (required for DER).") var out: String?

    func run() throws {
        guard ["pem", "der"].contains(format) else { throw CLIExit.unreadable("--format must be pem or der") }
        guard let r = try options.ledger().certificates(matching: key).first else { throw CLIExit.refused("no certificate with SKID or serial \(key) in the ledger") }
        let bytes = format == "pem" ? Data(CertificateFile.pem(Array(r.der)).utf8) : r.der
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: bytes) else { throw CLIExit.refused("cannot write \(out)") }
        } else if format == "der" {
            throw CLIExit.unreadable("DER is binary: give --out FILE")
        } else {
            FileHandle.standardOutput.write(bytes)
        }
    }
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit log.", subcommands: [AuditVerify.self])
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Walk the audit hash chain; exit 1 naming the first broken entry.")
    @OptionGroup var options: HomeOptions

    func run() throws {
        switch try options.ledger().verifyAudit() {
        case .intact(let n): writeStdout("audit log intact: \(n) entries, hash chain verified\n")
        case .broken(let seq, let reason): throw CLIExit.refused("audit log broken at entry \(seq): \(reason)")
        }
    }
}

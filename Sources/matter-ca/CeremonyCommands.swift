import ArgumentParser
import Authority
import CertificateTemplates
import Foundation
import Ledger
import MatterPKI

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the authority home: ledger and a PKCS#11 token of its own (SoftHSM2 by default).",
        discussion: "PINs come from MATTER_CA_PIN and MATTER_CA_SO_PIN (or MATTER_CA_PIN_FILE, MATTER_CA_SO_PIN_FILE), or an interactive prompt; never from the command line. An existing home is never overwritten.")
    @OptionGroup var options: HomeOptions
    @Option(help: "Token label.") var tokenLabel = "matter-ca"
    @Option(help: ArgumentHelp("A shared PostgreSQL ledger instead of the home's SQLite file: postgres://user@host:port/database (password from MATTER_CA_LEDGER_PASSWORD or MATTER_CA_LEDGER_PASSWORD_FILE).", valueName: "url"))
    var ledger: String?
    @Option(help: "Custodians of the root token that holds the PAA keys: its PIN is split so that no one person knows it.") var custodians: Int?
    @Option(help: "How many custodians' shares open the root token (with --custodians).") var quorum: Int?
    @Option(help: "The custodians' IDs, comma-separated, in share order (default c1,c2,…).") var custodianIds: String?
    @Option(help: "One file per custodian for its share, in order, each in a folder of its own (default: shown on the terminal one at a time).")
    var shareFile: [String] = []
    @Option(help: "Label of the root token (with --custodians).") var rootTokenLabel = "matter-ca-root"

    func run() throws {
        let home = options.authorityHome
        if let ledger, !LedgerLocation.isPostgres(ledger) { throw CLIExit.unreadable("--ledger must be a postgres:// URL") }
        guard !home.exists else { throw CLIExit.refused(AuthorityError.homeExists(home.root.path).description) }
        let custody = try custodyRequest(home: home)
        let pin = try Secrets.pin("MATTER_CA_PIN", prompt: "New token user PIN")
        let so = try Secrets.pin("MATTER_CA_SO_PIN", prompt: "New token security-officer PIN")
        do {
            let s = try Authority.initialize(home: home, pin: pin, soPIN: so, module: options.pkcs11Module, tokenLabel: tokenLabel, ledgerURL: ledger,
                                             custody: custody)
            writeStdout("initialised \(home.root.path): token \"\(s.tokenLabel)\" (\(s.pkcs11Module)), ledger \(s.ledgerURL ?? home.ledger.path)\n")
            if let c = s.custody {
                writeStdout("root token \"\(c.rootTokenLabel)\" for PAA keys: \(c.quorum) of \(c.custodians.count) custodians (\(c.custodians.joined(separator: ", "))), share set \(c.setID)\n")
            }
        } catch let e as CLIExit { throw e } catch { throw CLIExit.refused(oneLine(error)) }
    }

    /// `--custodians N --quorum M`: checked (and the share destinations judged) before anything is made.
    private func custodyRequest(home: AuthorityHome) throws -> Authority.CustodyRequest? {
        guard let n = custodians else {
            guard quorum == nil, custodianIds == nil, shareFile.isEmpty else { throw CLIExit.unreadable("--quorum, --custodian-ids and --share-file go with --custodians") }
            return nil
        }
        guard let m = quorum else { throw CLIExit.unreadable("--custodians needs --quorum") }
        guard (1...255).contains(n), (1...n).contains(m), m >= 2 || n == 1 else {
            throw CLIExit.unreadable("--quorum \(m) of --custodians \(n): the quorum must be 2…\(max(n, 2)) (1 only for a single custodian)")
        }
        let ids = custodianIds.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? (1...n).map { "c\($0)" }
        guard ids.count == n, Set(ids).count == n, !ids.contains("") else { throw CLIExit.unreadable("--custodian-ids must name \(n) distinct custodians") }
        guard rootTokenLabel != tokenLabel else { throw CLIExit.unreadable("--root-token-label must differ from --token-label") }
        try ShareInput.checkDestinations(shareFile, custodians: n, home: home.root)
        let files = shareFile
        return Authority.CustodyRequest(custodians: ids, quorum: m, rootTokenLabel: rootTokenLabel) { shares in
            try ShareInput.deliver(shares, ids: ids, files: files)
        }
    }
}

struct PAACommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "paa", abstract: "PAA ceremonies.", subcommands: [PAACreate.self])
}

struct PAACreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Generate a PAA key in the token and self-sign the PAA (a key ceremony).")
    @OptionGroup var options: HomeOptions
    @OptionGroup var custody: CustodyOptions
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
        let authority = try options.open(custody: custody)
        let result: CeremonyResult
        do { result = try authority.createPAA(name: cn, vid: v, lifetime: lifetime) } catch { throw CLIExit.refused(oneLine(error)) }
        try report(result, json: json)
    }
}

struct PAICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pai", abstract: "PAI ceremonies.", subcommands: [PAIIssue.self, PAICSR.self, PAIImport.self])
}

struct PAIIssue: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "issue", abstract: "Generate a PAI key in the token and sign the PAI with a PAA's token key.")
    @OptionGroup var options: HomeOptions
    @OptionGroup var custody: CustodyOptions
    @Option(help: "The PAA: SKID or name.") var paa: String
    @Option(help: "VID (hex).") var vid: String
    @Option(help: "PID (hex), for a PAI scoped to one product.") var pid: String?
    @Option(help: "Common name (the name VendorRegistry/ files use to name the PAI).") var cn: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let v: VendorID = try InputFiles.matterID(vid, "--vid")
        let p: ProductID? = try pid.map { try InputFiles.matterID($0, "--pid") }
        let authority = try options.open(custody: custody)
        let result: CeremonyResult
        do { result = try authority.issuePAI(paa: paa, vid: v, pid: p, name: cn) } catch { throw CLIExit.refused(oneLine(error)) }
        try report(result, json: json)
    }
}

struct CeremonyReport: Encodable {
    let type, name, skid, serial, subject, sha256, transcript: String
    let files: [String]
    let filesWritten: Bool
}

/// Prints the ceremony; a ceremony whose files could not be written is issued (key and ledger intact) but exits 1.
func report(_ r: CeremonyResult, json: Bool) throws {
    let c = r.certificate.certificate
    let rep = CeremonyReport(type: r.authority.type, name: r.authority.name, skid: r.authority.skid, serial: c.serialHex, subject: "\(c.subject)",
                             sha256: c.sha256.hexString, transcript: r.transcript.path, files: r.files.map(\.path), filesWritten: r.filesNotWritten == nil)
    if json { writeStdout(jsonString(rep)) } else {
        writeStdout("\(rep.type.uppercased()) \(rep.subject)\n  SKID \(rep.skid)\n  serial \(rep.serial)\n" +
                    (rep.files.first.map { "  certificate \($0)\n  transcript \(rep.transcript)\n" } ?? ""))
    }
    if let problem = r.filesNotWritten {
        throw CLIExit.refused("\(rep.type.uppercased()) \(rep.skid) issued; files not written (\(problem)); `matter-ca export \(rep.skid)` writes them")
    }
}

import ArgumentParser
import Authority
import Foundation
import Ledger

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit log.", subcommands: [AuditVerify.self, AuditList.self])
}

struct AuditList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Print the newest audit entries, oldest first (no PIN needed).")
    @OptionGroup var options: HomeOptions
    @Option(help: "Only entries of this action (for example token.state-restored, certificate.revoked).") var action: String?
    @Option(help: "At most this many entries.") var limit = 50
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard limit > 0 else { throw CLIExit.unreadable("--limit must be positive") }
        let entries: [AuditLogEntry]
        do { entries = try options.authorityHome.openLedger().auditEntries(action: action, limit: limit) } catch { throw CLIExit.refused(oneLine(error)) }
        if json {
            writeStdout(jsonString(entries.map { ["seq": String($0.seq), "at": LedgerTime.iso8601($0.at), "actor": $0.actor, "action": $0.action,
                                                  "payload": $0.payload, "hash": $0.hash] }))
            return
        }
        for e in entries { writeStdout("\(e.seq)  \(LedgerTime.iso8601(e.at))  \(e.actor)  \(e.action)  \(e.payload)\n") }
    }
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the audit hash chain, every certificate row it binds and the signed checkpoints; exit 1 naming what broke.",
        discussion: "Needs no PIN: the checkpoint key's public half is read from the token.")
    @OptionGroup var options: HomeOptions
    @Flag(help: "Print JSON: what was checked, and every problem with its entry or row.") var json = false

    func run() throws {
        let report: AuditReport
        do { report = try AuditCheckpoints.verify(home: options.authorityHome, module: options.pkcs11Module) } catch { throw CLIExit.refused(oneLine(error)) }
        if json {
            writeStdout(jsonString(report))
            if !report.intact { throw CLIExit.failedCheck }
            return
        }
        guard report.intact else {
            throw CLIExit.refused("audit log broken: " + report.problems.map(\.description).joined(separator: "\n  "))
        }
        let signed = report.lastCheckpointSeq.map { "last signed checkpoint at entry \($0)" } ?? "no signed checkpoint"
        writeStdout("audit log intact: \(report.entries) entries, hash chain verified, \(report.certificateRows) certificate rows bound, " +
                    "\(report.checkpoints) checkpoints (\(signed))\n")
    }
}

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the whole home: ledger, token and login, a key for every authority, audit chain and checkpoints, leftover staging folders, file modes.",
        discussion: "Exit 0 only when every check passes.")
    @OptionGroup var options: HomeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let home = options.authorityHome
        guard home.exists else { throw CLIExit.refused(AuthorityError.notInitialized(home.root.path).description) }
        let pin = try Secrets.optionalPIN("MATTER_CA_PIN") ?? (isatty(STDIN_FILENO) == 1 ? Secrets.pin("MATTER_CA_PIN", prompt: "Token user PIN") : nil)
        let checks = Doctor.run(home: home, pin: pin, module: options.pkcs11Module)
        if json { writeStdout(jsonString(checks)) } else {
            for c in checks { writeStdout("\(c.ok ? "ok  " : "FAIL") \(c.name): \(c.detail)\n") }
        }
        if checks.contains(where: { !$0.ok }) { throw CLIExit.failedCheck }
    }
}

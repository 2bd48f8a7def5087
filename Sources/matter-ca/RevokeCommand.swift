import ArgumentParser
import Authority
import Foundation
import Ledger

struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a DAC by serial, a whole batch, or a PAI; a ledger fact in the audit chain.",
        discussion: "Revoking again is a no-op that says so. Reasons: \(RevocationRecord.reasons.joined(separator: ", ")).")
    @OptionGroup var options: HomeOptions
    @Argument(help: "The serial (hex) of the certificate to revoke.") var serial: String?
    @Option(help: "Revoke every DAC of this batch (ID or idempotency key).") var batch: String?
    @Option(help: "Revoke this PAI (SKID or name).") var pai: String?
    @Option(help: "RFC 5280 reason.") var reason = "unspecified"
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let given = [serial != nil, batch != nil, pai != nil].filter { $0 }.count
        guard given == 1 else { throw CLIExit.unreadable("give exactly one of SERIAL, --batch, --pai") }
        let target: RevocationTarget = serial.map { .serial($0) } ?? batch.map { .batch($0) } ?? .pai(pai!)
        guard RevocationRecord.reasons.contains(reason) else { throw CLIExit.unreadable(RevocationError.unknownReason(reason).description) }
        let authority = try options.open()
        let outcome: RevocationOutcome
        do { outcome = try authority.revoke(target, reason: reason) } catch { throw CLIExit.refused(oneLine(error)) }
        try? authority.checkpoint()
        struct Out: Encodable { let revoked, alreadyRevoked: Int; let reason: String }
        if json { writeStdout(jsonString(Out(revoked: outcome.revoked, alreadyRevoked: outcome.alreadyRevoked, reason: reason))); return }
        if outcome.revoked == 0 {
            writeStdout("already revoked (\(outcome.alreadyRevoked)); nothing changed\n")
        } else {
            writeStdout("revoked \(outcome.revoked) (\(reason))" + (outcome.alreadyRevoked > 0 ? ", \(outcome.alreadyRevoked) already revoked" : "") + "\n")
        }
    }
}

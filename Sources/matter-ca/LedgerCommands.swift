import ArgumentParser
import Authority
import Foundation
import Ledger

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "The ledger's engine.", subcommands: [LedgerMigrate.self])
}

struct LedgerMigrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the home's SQLite ledger into an empty PostgreSQL database, verify it, and point the home at it.",
        discussion: """
            The password comes from MATTER_CA_LEDGER_PASSWORD or the file named by MATTER_CA_LEDGER_PASSWORD_FILE, never from \
            the URL or the command line. Stop every server and command of this home first. The audit chain is verified on both \
            sides and the row counts compared before the home is switched; the SQLite file is kept as it was.
            """)
    @OptionGroup var options: HomeOptions
    @Option(help: "The PostgreSQL ledger: postgres://user@host:port/database") var to: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let home = options.authorityHome
        guard home.exists else { throw CLIExit.refused(AuthorityError.notInitialized(home.root.path).description) }
        guard LedgerLocation.isPostgres(to) else { throw CLIExit.unreadable("--to must be a postgres:// URL") }
        let r: LedgerMigrationReport
        do { r = try home.migrateLedger(to: to, actor: Authority.currentActor()) } catch { throw CLIExit.refused(oneLine(error)) }
        if json {
            writeStdout(jsonString(r))
        } else {
            let rows = r.rows.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            writeStdout("""
                copied \(r.from) → \(r.to)\(r.alreadyCopied ? " (found already copied by an earlier run)" : "")
                rows: \(rows)
                audit chain verified on both sides: \(r.auditEntries) entries, \(r.certificateRows) certificate rows
                the home now uses \(r.to); \(r.from) is kept as it was

                """)
        }
    }
}

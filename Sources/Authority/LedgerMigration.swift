import Foundation
import Ledger

/// What `matter-ca ledger migrate` did.
public struct LedgerMigrationReport: Codable, Sendable {
    public var from: String
    public var to: String
    public var rows: [String: Int]
    public var auditEntries: Int
    public var certificateRows: Int
    /// The copy was found already made by an earlier run that stopped before switching the home.
    public var alreadyCopied: Bool
}

extension AuthorityHome {
    /// Copies this home's SQLite ledger, verbatim, into an empty PostgreSQL ledger, checks the audit chain on both
    /// sides and the row counts, and only then points the home at PostgreSQL. The SQLite file is left as it was (the
    /// record of what was copied). Stop every server and command of the home first: a source that changes during
    /// the copy is detected and the home is not switched.
    public func migrateLedger(to url: String, actor: String, clock: @escaping @Sendable () -> Date = { Date() }) throws -> LedgerMigrationReport {
        var settings = try loadSettings()
        if let current = settings.ledgerURL { throw AuthorityError.refused("this home's ledger is already \(current)") }
        let source = try SQLiteLedger(path: ledger.path, clock: clock)
        let before = try source.auditHead()
        let sourceReport = try source.verifyAudit()
        guard sourceReport.intact else {
            throw AuthorityError.refused("the SQLite ledger's audit chain does not verify (\(sourceReport.problems.first.map { "\($0)" } ?? "")); nothing was copied")
        }
        let target = try LedgerLocation.postgres(url, clock: clock)
        let sourceCounts = try source.counts()
        let targetCounts = try target.counts()
        let targetRows = targetCounts.values.reduce(0, +)
        var alreadyCopied = false
        if targetRows > 0 {
            // An earlier run copied it and stopped before switching the home: the same head and counts mean the same ledger.
            guard try target.auditHead() == before, targetCounts == sourceCounts else {
                throw AuthorityError.refused("the ledger at \(target.location) is not empty (\(targetRows) rows) and is not a copy of this one; migrate into an empty database")
            }
            alreadyCopied = true
        } else {
            try target.importRows(from: source)
        }
        let targetReport = try target.verifyAudit()
        guard targetReport.intact else {
            throw AuthorityError.refused("the copy's audit chain does not verify (\(targetReport.problems.first.map { "\($0)" } ?? "")); the home still uses SQLite")
        }
        let copied = try target.counts()
        guard copied == sourceCounts, try target.auditHead() == before else {
            throw AuthorityError.refused("the copy differs from the source (rows \(copied) vs \(sourceCounts)); the home still uses SQLite")
        }
        guard try source.auditHead() == before else {
            throw AuthorityError.refused("the SQLite ledger changed during the copy (a server or command of this home is still running); stop it, empty \(target.location) and migrate again")
        }
        settings.ledgerURL = url
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileOutput.write(try enc.encode(settings), to: self.settings, mode: 0o600, durable: true)
        try target.audit(actor: actor, action: "ledger.migrated", payload: [
            "from": ledger.path, "to": target.location, "head": "\(before.seq):\(before.hash)",
            "rows": String(sourceCounts.values.reduce(0, +))])
        return LedgerMigrationReport(from: ledger.path, to: target.location, rows: sourceCounts, auditEntries: targetReport.entries,
                                     certificateRows: targetReport.certificateRows, alreadyCopied: alreadyCopied)
    }
}

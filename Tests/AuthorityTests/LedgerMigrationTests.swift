import Foundation
import Ledger
import Testing
import TestSupport

/// `matter-ca ledger migrate --to postgres://…` and a home on a PostgreSQL ledger, driven through the CLI.
@Suite struct LedgerMigrationTests {
    static func settings(_ h: TestHome) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: h.root.appendingPathComponent("authority.json"))) as! [String: Any]
    }

    @Test(.enabled(if: TestHome.softHSMAvailable && TestPostgres.url != nil, TestPostgres.missing))
    func aMigratedLedgerIsTheSameLedger() throws {
        // Batches, vendors, ceremonies, a revocation, a CRL signer and a published CRL: every kind of row.
        let h = try DACBatchTests.home()
        let serials = try RevocationTests.batch(h, count: 12, key: "before")
        #expect(try h.run(["revoke", serials[0], "--reason", "keyCompromise"]).status == 0)
        let crl = try h.run(["crl", "publish"])
        #expect(crl.status == 0, "\(crl.output)")
        let listBefore = try h.run(["list", "--json"]).stdout
        let sqliteRows = try CLI.exec("sqlite3", [h.root.appendingPathComponent("ledger.sqlite").path,
                                                  "SELECT COUNT(*) FROM certificates; SELECT COUNT(*) FROM audit_log; SELECT COUNT(*) FROM revocations;"]).stdout
        let db = try TestPostgres.database()

        let r = try h.run(["ledger", "migrate", "--to", db, "--json"])
        #expect(r.status == 0, "\(r.output)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(report["to"] as? String == db && report["alreadyCopied"] as? Bool == false)
        #expect(try Self.settings(h)["ledgerURL"] as? String == db)

        // The same inventory, the same rows, one verified chain (with the migration recorded on it).
        #expect(try h.run(["list", "--json"]).stdout == listBefore)
        let pgRows = try TestPostgres.psql(db, "SELECT COUNT(*) FROM certificates") + "\n"
            + (try TestPostgres.psql(db, "SELECT COUNT(*) - 1 FROM audit_log")) + "\n" + (try TestPostgres.psql(db, "SELECT COUNT(*) FROM revocations")) + "\n"
        #expect(pgRows == sqliteRows)
        let audit = try h.run(["audit", "verify"])
        #expect(audit.status == 0, "\(audit.output)")
        #expect(try TestPostgres.psql(db, "SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1") == "ledger.migrated")
        let doctor = try h.run(["doctor"])
        #expect(doctor.output.contains("postgres ledger at \(db)"), "\(doctor.output)")

        // The home goes on working on PostgreSQL: a new batch lands there, and its revocation too.
        let more = try RevocationTests.batch(h, count: 3, key: "after")
        #expect(try TestPostgres.psql(db, "SELECT COUNT(*) FROM certificates WHERE type = 'dac'") == "15")
        #expect(try h.run(["revoke", more[1]]).status == 0)
        #expect(try RevocationTests.status(h, more[1]) == "revoked")
        #expect(try h.run(["audit", "verify"]).status == 0)
        // The SQLite file is kept as it was.
        #expect(try CLI.exec("sqlite3", [h.root.appendingPathComponent("ledger.sqlite").path, "SELECT COUNT(*) FROM certificates;"]).stdout
            == sqliteRows.split(separator: "\n")[0] + "\n")
    }

    @Test(.enabled(if: TestHome.softHSMAvailable && TestPostgres.url != nil, TestPostgres.missing))
    func refusedMigrationsChangeNothing() throws {
        let h = try DACBatchTests.home()
        _ = try RevocationTests.batch(h, count: 2, key: "k")
        let state = try h.ledgerState()

        // Not a PostgreSQL URL: a usage error.
        let bad = try h.run(["ledger", "migrate", "--to", "mysql://x@127.0.0.1/db"])
        #expect(bad.status == 2 && bad.output.contains("postgres://"), "\(bad.output)")

        // A database holding another ledger: refused, both sides unchanged.
        let other = try TestPostgres.database()
        let o = try DACBatchTests.home(ledgerURL: other)
        let otherState = try TestPostgres.ledgerState(other)
        let busy = try h.run(["ledger", "migrate", "--to", other])
        #expect(busy.status == 1 && busy.output.contains("is not empty"), "\(busy.output)")
        #expect(try TestPostgres.ledgerState(other) == otherState && h.ledgerState() == state)
        #expect(try Self.settings(h)["ledgerURL"] == nil)
        _ = o

        // A wrong password: refused without printing it, nothing changed.
        let db = try TestPostgres.database()
        let secret = "wrong-\(UUID().uuidString.prefix(6))"
        let wrong = try CLI.run(["ledger", "migrate", "--to", db],
                                environment: h.environment.merging(["MATTER_CA_LEDGER_PASSWORD": secret, "MATTER_CA_LEDGER_PASSWORD_FILE": ""]) { _, b in b })
        #expect(wrong.status == 1 && !wrong.output.contains(secret), "\(wrong.output)")
        #expect(try Self.settings(h)["ledgerURL"] == nil && h.ledgerState() == state)

        // A URL carrying a password is refused, and the password is not repeated.
        let inURL = db.replacingOccurrences(of: "mca@", with: "mca:hunter2secret@")
        let leak = try h.run(["ledger", "migrate", "--to", inURL])
        #expect(leak.status != 0 && !leak.output.contains("hunter2secret"), "\(leak.output)")

        // Migrated once; a second migration is refused.
        #expect(try h.run(["ledger", "migrate", "--to", db]).status == 0)
        let again = try h.run(["ledger", "migrate", "--to", try TestPostgres.database()])
        #expect(again.status == 1 && again.output.contains("already"), "\(again.output)")
    }

    @Test(.enabled(if: TestHome.softHSMAvailable && TestPostgres.url != nil, TestPostgres.missing))
    func initOnANonEmptySharedLedgerIsRefused() throws {
        let db = try TestPostgres.database()
        _ = try TestHome(ledgerURL: db)
        let state = try TestPostgres.ledgerState(db)
        let second = try TestHome(initialise: false)
        let r = try second.run(["init", "--ledger", db])
        #expect(r.status == 1 && r.output.contains("already holds"), "\(r.output)")
        #expect(try TestPostgres.ledgerState(db) == state)
        #expect(!FileManager.default.fileExists(atPath: second.root.appendingPathComponent("authority.json").path))
    }

    /// A run that copied the rows and stopped before switching the home (a crash between the two steps): the next
    /// run recognises its own copy (same head, same counts), verifies it and switches, copying nothing twice.
    @Test(.enabled(if: TestHome.softHSMAvailable && TestPostgres.url != nil, TestPostgres.missing))
    func aCopyLeftByAnInterruptedRunIsFinished() throws {
        let h = try DACBatchTests.home()
        _ = try RevocationTests.batch(h, count: 3, key: "k")
        let db = try TestPostgres.database()
        let password = try String(contentsOfFile: try #require(TestPostgres.passwordFile), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // The first half of a migration, as the interrupted run left it.
        try PostgresLedger(url: db, password: password).importRows(from: SQLiteLedger(path: h.root.appendingPathComponent("ledger.sqlite").path))
        let copied = try TestPostgres.psql(db, "SELECT COUNT(*) FROM certificates")
        let r = try h.run(["ledger", "migrate", "--to", db, "--json"])
        #expect(r.status == 0, "\(r.output)")
        #expect((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["alreadyCopied"] as? Bool == true)
        #expect(try TestPostgres.psql(db, "SELECT COUNT(*) FROM certificates") == copied)
        #expect(try Self.settings(h)["ledgerURL"] as? String == db && h.run(["audit", "verify"]).status == 0)
    }

    /// Usage errors of the new options: exit 2, the option named, nothing made.
    @Test func badLedgerAndLeaseOptionsAreUsageErrors() throws {
        let fresh = try TestHome(initialise: false)
        let initBad = try fresh.run(["init", "--ledger", "sqlite:///tmp/x.sqlite"])
        #expect(initBad.status == 2 && initBad.output.contains("--ledger must be a postgres:// URL"), "\(initBad.output)")
        #expect(!FileManager.default.fileExists(atPath: fresh.root.path))
        let serveBad = try fresh.run(["serve", "--batch-lease", "0"])
        #expect(serveBad.status == 2 && serveBad.output.contains("--batch-lease must be at least 1 second"), "\(serveBad.output)")
        #expect(!FileManager.default.fileExists(atPath: fresh.root.path))
    }
}

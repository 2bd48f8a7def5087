import Foundation
import Testing
import TestSupport

/// Revocation as a ledger fact: by serial, by batch, a PAI; idempotent; refusals change nothing; bound into the
/// audit chain so that an edited or deleted revocation is caught.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct RevocationTests {
    static func batch(_ h: TestHome, count: Int = 4, key: String) throws -> [String] {
        let out = h.root.appendingPathComponent("out-\(key)")
        let r = try h.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", String(count), "--out", out.path, "--idempotency-key", key])
        #expect(r.status == 0, "\(r.output)")
        return try DACBatchTests.manifest(out).map { $0["serial"] as! String }
    }

    static func status(_ h: TestHome, _ serial: String) throws -> String? {
        (try h.json(["list", "dac"]) as! [[String: Any]]).first { $0["serial"] as? String == serial }?["status"] as? String
    }

    @Test func revokeBySerialBatchAndPAI() throws {
        let h = try DACBatchTests.home()
        let serials = try Self.batch(h, key: "r1")
        let one = try h.run(["revoke", serials[0], "--reason", "keyCompromise"])
        #expect(one.status == 0 && one.stdout.contains("revoked 1 (keyCompromise)"), "\(one.output)")
        #expect(try Self.status(h, serials[0]) == "revoked" && Self.status(h, serials[1]) == "issued")
        let state = try h.ledgerState()
        let again = try h.run(["revoke", serials[0]])
        #expect(again.status == 0 && again.stdout.contains("already revoked (1); nothing changed"), "\(again.output)")
        #expect(try h.ledgerState() == state)
        let all = try h.run(["revoke", "--batch", "r1", "--reason", "cessationOfOperation"])
        #expect(all.status == 0 && all.stdout.contains("revoked 3 (cessationOfOperation), 1 already revoked"), "\(all.output)")
        let pai = try h.run(["revoke", "--pai", "FFF2 PAI", "--reason", "cACompromise"])
        #expect(pai.status == 0 && pai.stdout.contains("revoked 1"), "\(pai.output)")
        #expect(((try h.json(["list", "pai"]) as! [[String: Any]]).first { ($0["subject"] as? String)?.contains("FFF2 PAI") == true }?["status"] as? String) == "revoked")
        #expect(try h.run(["audit", "verify"]).status == 0)
    }

    @Test func refusalsArePreciseAndChangeNothing() throws {
        let h = try DACBatchTests.home()
        _ = try Self.batch(h, key: "r2")
        let before = try h.ledgerState()
        for (args, status, message) in [
            (["revoke", "7F00000000000001"], Int32(1), "unknownCertificate: no certificate with serial 7F00000000000001"),
            (["revoke", "--batch", "no-such-batch"], 1, "unknownBatch"),
            (["revoke", "--pai", "No PAI"], 1, "no PAI with SKID or name \"No PAI\""),
            (["revoke", "ABCD", "--reason", "certificateHold"], 2, "unknownReason: \"certificateHold\" is not one of"),
            (["revoke"], 2, "give exactly one of SERIAL, --batch, --pai"),
        ] {
            let r = try h.run(args)
            #expect(r.status == status && r.stderr.contains(message), "\(args): \(r.output)")
        }
        #expect(try h.ledgerState() == before)
    }

    @Test func editedOrDeletedRevocationsAreCaught() throws {
        let h = try DACBatchTests.home()
        let serials = try Self.batch(h, key: "r3")
        #expect(try h.run(["revoke", serials[0]]).status == 0)
        let db = h.root.appendingPathComponent("ledger.sqlite").path
        let copy = h.root.appendingPathComponent("good.sqlite").path
        try FileManager.default.copyItem(atPath: db, toPath: copy)
        func tamper(_ sql: String, expect: String) throws {
            try? FileManager.default.removeItem(atPath: db + "-wal"); try? FileManager.default.removeItem(atPath: db + "-shm")
            try FileManager.default.removeItem(atPath: db)
            try FileManager.default.copyItem(atPath: copy, toPath: db)
            #expect(try CLI.exec("sqlite3", [db, sql]).status == 0)
            let r = try h.run(["audit", "verify"])
            #expect(r.status == 1 && r.stderr.contains(expect), "\(sql): \(r.output)")
        }
        try tamper("DROP TRIGGER revocations_no_delete; DELETE FROM revocations;", expect: "edited status")
        try tamper("UPDATE certificates SET status = 'issued' WHERE serial = '\(serials[0])';", expect: "edited status")
        try tamper("UPDATE certificates SET status = 'revoked' WHERE serial = '\(serials[1])';", expect: "edited status")
        try tamper("DROP TRIGGER revocations_no_update; UPDATE revocations SET reason = 'superseded';", expect: "edited revocation")
    }
}

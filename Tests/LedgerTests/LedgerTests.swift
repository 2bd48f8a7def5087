import Crypto
import Foundation
@testable import Ledger
import Testing
import TestSupport

/// The ledger protocol's conformance suite: every test runs on every engine of `Engine.all` (SQLite always,
/// PostgreSQL when a test server is configured). Constraints, batches and leases, and the audit chain's tamper
/// evidence; the rest of the protocol is in LedgerProtocolTests.swift.
@Suite struct LedgerTests {
    @Test(arguments: Engine.all) func aReusedSerialIsRefusedTypedAndChangesNothing(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger(clock: tickingClock())
        let c1 = try l.beginCeremony(kind: "pai.issue", actor: "t", detail: [:])
        try l.completeCeremony(c1, certificate: Make.certificate(serial: "0102", sha: "S1"), authority: Make.authority("K1"), payload: [:])
        let c2 = try l.beginCeremony(kind: "pai.issue", actor: "t", detail: [:])
        let before = try Snapshot(l)
        #expect(throws: LedgerError.serialCollision) {
            try l.completeCeremony(c2, certificate: Make.certificate(serial: "0102", sha: "S2"), authority: Make.authority("K2"), payload: [:])
        }
        #expect(try Snapshot(l) == before)
        #expect(try l.ceremonies().map(\.status) == ["completed", "started"])
        let report = try l.verifyAudit()
        #expect(report.intact && report.entries == 3 && report.certificateRows == 1, "\(report)")
    }

    @Test(arguments: Engine.all) func eachConstraintHasItsOwnError(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        try l.createBatch(Make.batch("B1", key: "k"), actor: "t")
        var before = try Snapshot(l)
        #expect(throws: LedgerError.idempotencyKeyTaken("k")) { try l.createBatch(Make.batch("B2", key: "k"), actor: "t") }
        #expect(try Snapshot(l) == before && l.batch(id: "B2") == nil)
        try l.commitChunk([Make.certificate(serial: "01", sha: "A", batch: "B1", item: 0)], batchID: "B1", actor: "t")
        before = try Snapshot(l)
        // The same item again with a fresh serial: another process did that work; not a serial collision.
        #expect(throws: LedgerError.batchItemClash(batchID: "B1")) {
            try l.commitChunk([Make.certificate(serial: "02", sha: "B", batch: "B1", item: 0)], batchID: "B1", actor: "t")
        }
        #expect(try Snapshot(l) == before)
        // A chunk whose last certificate collides: none of the chunk is recorded.
        #expect(throws: LedgerError.serialCollision) {
            try l.commitChunk([Make.certificate(serial: "03", sha: "C3", batch: "B1", item: 2), Make.certificate(serial: "01", sha: "C", batch: "B1", item: 1)],
                              batchID: "B1", actor: "t")
        }
        #expect(try Snapshot(l) == before)
        // The same DER twice (its SHA-256 is unique): a constraint without a meaning of its own.
        #expect {
            try l.commitChunk([Make.certificate(serial: "04", sha: "A", batch: "B1", item: 3)], batchID: "B1", actor: "t")
        } throws: { e in
            guard case LedgerError.constraint(let m) = e else { return false }
            return m.contains("sha256")
        }
        #expect(try Snapshot(l) == before)
        #expect(try l.batchItemsIssued("B1") == [0])
        // CRL numbers, per signer.
        let crl = CRLRecord(publication: "P1", caSKID: "AA", signerSKID: "AA", partition: nil, number: 1, thisUpdate: Date(), nextUpdate: Date(),
                            entries: 0, size: 10, sha256: "s", url: "u", file: "f")
        try l.recordCRLs([crl], actor: "t")
        before = try Snapshot(l)
        var again = crl
        again.publication = "P2"
        #expect(throws: LedgerError.crlNumberTaken) { try l.recordCRLs([again], actor: "t") }
        #expect(try Snapshot(l) == before)
        #expect(try l.verifyAudit().intact)
    }

    @Test(arguments: Engine.all) func aBatchLeaseKeepsASecondRunnerOut(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        try l.createBatch(Make.batch("B1", key: "k"), actor: "t")
        let until = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 60).rounded(.down))
        try l.claimBatch(id: "B1", owner: "host:1", until: until, ownerIsGone: { _ in false })
        try l.claimBatch(id: "B1", owner: "host:1", until: until, ownerIsGone: { _ in false })   // renewal
        let before = try Snapshot(l)
        #expect(throws: LedgerError.batchLeased(batchID: "B1", owner: "host:1", until: until)) {
            try l.claimBatch(id: "B1", owner: "host:2", until: until, ownerIsGone: { _ in false })
        }
        #expect(try Snapshot(l) == before && l.batch(id: "B1")?.leaseOwner == "host:1")
        #expect(throws: LedgerError.notFound("batch B9")) { try l.claimBatch(id: "B9", owner: "host:2", until: until, ownerIsGone: { _ in false }) }
        try l.claimBatch(id: "B1", owner: "host:2", until: until, ownerIsGone: { $0 == "host:1" })   // the holder died
        #expect(try l.batch(id: "B1")?.leaseOwner == "host:2" && l.batch(id: "B1")?.leaseUntil == until)
        try l.completeBatch("B1", actor: "t")
        #expect(try l.batch(id: "B1")?.leaseOwner == nil && l.batch(id: "B1")?.status == "completed")
    }

    @Test(arguments: Engine.all) func claimableBatchesAreThoseWithoutALiveLease(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for (i, id) in ["free", "live", "expired", "done"].enumerated() {
            try l.createBatch(Make.batch(id, key: "k-\(id)", at: t0.addingTimeInterval(Double(i))), actor: "t")
        }
        try l.claimBatch(id: "live", owner: "host:1", until: t0.addingTimeInterval(600), ownerIsGone: { _ in false })
        try l.claimBatch(id: "expired", owner: "host:2", until: t0.addingTimeInterval(60), ownerIsGone: { _ in false })
        try l.completeBatch("done", actor: "t")
        #expect(try l.claimableBatches(now: t0.addingTimeInterval(120)).map(\.id) == ["free", "expired"])
        #expect(try l.claimableBatches(now: t0.addingTimeInterval(30)).map(\.id) == ["free"])
        #expect(try l.claimableBatches(now: t0.addingTimeInterval(600)).map(\.id) == ["free", "live", "expired"])   // a lease ends at its time
        let e = try #require(try l.claimableBatches(now: t0.addingTimeInterval(120)).last)
        #expect(e.leaseOwner == "host:2" && e.leaseUntil == t0.addingTimeInterval(60))
    }

    @Test(arguments: Engine.all) func batchesRecordChunksAndCompleteOnce(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        var b = Make.batch("B1", key: "key-1", count: 7)
        b.outputPath = "/out/B1"
        try l.createBatch(b, actor: "alice")
        #expect(try l.batch(idempotencyKey: "key-1")?.id == "B1" && l.batch(idempotencyKey: "nope") == nil)
        let got = try #require(try l.batch(id: "B1"))
        #expect(got.count == 7 && got.status == "started" && got.outputPath == "/out/B1" && got.leaseOwner == nil && got.completedAt == nil)
        #expect(LedgerTime.storage(got.createdAt) == LedgerTime.storage(b.createdAt))
        try l.commitChunk(Make.dacs(4..<7, batch: "B1"), batchID: "B1", actor: "alice")
        try l.commitChunk(Make.dacs(0..<4, batch: "B1"), batchID: "B1", actor: "alice")
        try l.commitChunk([], batchID: "B1", actor: "alice")   // nothing to record: no entry
        #expect(try l.batchItemsIssued("B1") == Set(0..<7))
        #expect(try l.batchCertificates("B1").map(\.batchItem) == Array(0..<7))
        #expect(try l.auditEntries(action: "dac.batch.issue", limit: 10).map(\.payload).allSatisfy { $0.contains("\"batch\":\"B1\"") })
        #expect(try l.auditHead().seq == 3)
        try l.completeBatch("B1", actor: "alice")
        let head = try l.auditHead()
        try l.completeBatch("B1", actor: "alice")   // completed already: nothing written
        #expect(try l.auditHead() == head)
        #expect(try l.auditEntries(action: "dac.batch.complete", limit: 5).map(\.payload) == [#"{"batch":"B1","count":"7"}"#])
        #expect(try l.batch(id: "B1")?.completedAt != nil)
        let before = try Snapshot(l)
        #expect(throws: LedgerError.notFound("batch B2")) { try l.completeBatch("B2", actor: "alice") }
        #expect(try Snapshot(l) == before)
        try l.createBatch(Make.batch("B0", key: "key-0", at: Date(timeIntervalSince1970: 0)), actor: "alice")
        #expect(try l.batches().map(\.id) == ["B0", "B1"])
        #expect(try l.verifyAudit().intact && l.verifyAudit().certificateRows == 7)
    }

    @Test func theCanonicalEncodingKeepsFieldBoundaries() {
        #expect(Canonical.sha256(["a|b", "c"]) != Canonical.sha256(["a", "b|c"]))
        #expect(Canonical.sha256(["ab", "c"]) != Canonical.sha256(["a", "bc"]))
        #expect(Canonical.encode(["ab"]) == [0, 0, 0, 2, 0x61, 0x62])
    }

    @Test(arguments: Engine.all) func theChainCoversEveryEntry(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        for i in 0..<50 { try l.audit(actor: "t", action: "test", payload: ["i": "\(i)"]) }
        #expect(try l.verifyAudit().entries == 50 && l.verifyAudit().intact)
        if let s = l as? SQLiteLedger {
            let mode = try CLI.exec("sqlite3", [s.path, "PRAGMA journal_mode;"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(mode == "wal")
        }
        try f.tamper(l, f.dropTrigger("audit_log_no_delete", on: "audit_log") + " DELETE FROM audit_log WHERE seq = 7;")
        #expect(try l.verifyAudit().problems.map(\.description) == ["entry 7: entries 7…7 are missing"])
    }

    @Test(arguments: Engine.all) func appendOnlyTablesRefuseEditsAtTheDatabase(engine: Engine) throws {
        let f = Fixture(engine)
        let (l, _) = try Self.populated(f)
        _ = try l.revoke([(issuerSKID: "BB", serial: "10")], reason: "keyCompromise", actor: "t", payload: [:])
        try l.recordCRLs([CRLRecord(publication: "P", caSKID: "BB", signerSKID: "BB", partition: nil, number: 1, thisUpdate: Date(), nextUpdate: Date(),
                                    entries: 1, size: 1, sha256: "s", url: "u", file: "f")], actor: "t")
        let before = try Snapshot(l)
        for (table, message) in [("audit_log", "audit_log is append-only"), ("audit_checkpoints", "audit_checkpoints is append-only"),
                                 ("revocations", "revocations are append-only"), ("crls", "crls are append-only")] {
            for sql in ["UPDATE \(table) SET \(table == "revocations" || table == "crls" ? "\"auditSeq\" = 99" : "seq = 99")", "DELETE FROM \(table)"] {
                let refusal = try f.raw(l, sql)
                #expect(refusal?.contains(message) == true, "\(sql): \(refusal ?? "accepted")")
            }
        }
        if engine == .postgres {
            #expect(try f.raw(l, "TRUNCATE audit_log CASCADE")?.contains("audit_log is append-only") == true)
        }
        #expect(try Snapshot(l) == before && l.verifyAudit().intact)
    }

    /// A ledger with a batch of certificates and a signed checkpoint, for the tampering tests.
    static func populated(_ f: Fixture) throws -> (any Ledger, P256.Signing.PrivateKey) {
        let l = try f.ledger()
        let key = P256.Signing.PrivateKey()
        try l.createBatch(Make.batch("B1", key: "k"), actor: "t")
        try l.commitChunk((0..<5).map { Make.certificate(serial: String(format: "%02X", $0 + 16), sha: "D\($0)", batch: "B1", item: $0, issuer: "BB") },
                          batchID: "B1", actor: "t")
        try l.completeBatch("B1", actor: "t")
        try Make.checkpoint(l, key)
        return (l, key)
    }

    static func problems(_ l: any Ledger, _ key: P256.Signing.PrivateKey) throws -> [String] {
        try l.verifyAudit(checkpointKey: key.publicKey).problems.map(\.description)
    }

    @Test(arguments: Engine.all) func editedCertificateRowsAreNamed(engine: Engine) throws {
        let f = Fixture(engine)
        for (column, value) in [("vid", "2"), ("status", "'revoked'"), ("der", f.blob("00")), ("subject", "'CN=y'")] {
            let (l, key) = try Self.populated(f)
            #expect(try Self.problems(l, key).isEmpty)
            try f.tamper(l, "UPDATE certificates SET \(column) = \(value) WHERE serial = '12';")
            let p = try Self.problems(l, key)
            let named = p.contains { $0.hasPrefix("certificate BB/12 (entry 2):") }
            #expect(named, "\(column): \(p)")
        }
    }

    @Test(arguments: Engine.all) func deletedAndInsertedCertificateRowsAreCaught(engine: Engine) throws {
        let f = Fixture(engine)
        let (l, key) = try Self.populated(f)
        try f.tamper(l, "DELETE FROM certificates WHERE serial = '12';")
        #expect(try Self.problems(l, key) == ["entry 2: the entry recorded 5 certificate row(s), the ledger holds 4 (deleted or inserted rows)"])
        let (l2, key2) = try Self.populated(f)
        try f.tamper(l2, """
            INSERT INTO certificates ("issuerSKID", serial, type, subject, skid, vid, "notBefore", "notAfter", der, sha256, status, "createdAt")
            VALUES ('BB', '7F', 'dac', 'CN=forged', 'FF', 1, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', \(f.blob("01")), '4BF5122F344554C53BDE2EBB8CD2B7E3D1600AD631C385A5D7CCE23C7785459A', 'issued', '2026-01-01 00:00:00.000');
            """)
        #expect(try Self.problems(l2, key2) == ["certificate BB/7F: its fields do not match the hash recorded when it was written (edited row)",
                                                "certificate BB/7F: no audit entry recorded this certificate (inserted row)"])
    }

    @Test(arguments: Engine.all) func truncationAndRewritesAreCaughtByTheSignedCheckpoint(engine: Engine) throws {
        let f = Fixture(engine)
        let (l, key) = try Self.populated(f)
        try f.tamper(l, f.dropTrigger("audit_log_no_delete", on: "audit_log") + " DELETE FROM audit_log WHERE seq >= 3;")
        #expect(try Self.problems(l, key) == [
            "checkpoint 3: the checkpoint of 2026-01-01T00:00:00Z signed entry 3, but the log ends at entry 2: entries 3…3 were deleted"])
        // A rewritten chain with recomputed hashes: every link holds, the checkpoint does not.
        let (l2, key2) = try Self.populated(f)
        let rows = try f.rows(l2, #"SELECT seq, "prevHash", at, actor, action, "payloadSHA256" FROM audit_log ORDER BY seq"#)
        var prev = String(repeating: "0", count: 64)
        var sql = f.dropTrigger("audit_log_no_update", on: "audit_log") + " "
        for r in rows {
            let actor = "intruder"
            let h = Canonical.sha256(["matter-ca audit v2", prev, r[0]!, r[2]!, actor, r[4]!, r[5]!])
            sql += "UPDATE audit_log SET actor = '\(actor)', \"prevHash\" = '\(prev)', hash = '\(h)' WHERE seq = \(r[0]!); "
            prev = h
        }
        try f.tamper(l2, sql)
        let p = try Self.problems(l2, key2)
        #expect(p == ["checkpoint 3: entry 3 is not the entry the checkpoint of 2026-01-01T00:00:00Z signed: the chain was rewritten"], "\(p)")
        // A forged checkpoint (of a later entry) does not verify with the token's key.
        try l2.audit(actor: "intruder", action: "cover", payload: [:])
        try Make.checkpoint(l2, P256.Signing.PrivateKey(), at: "2026-01-02T00:00:00Z")
        #expect(try Self.problems(l2, key2) == [p[0], "checkpoint 4: the signature of the checkpoint of 2026-01-02T00:00:00Z does not verify with the token's checkpoint key"])
    }

    @Test(arguments: Engine.all) func editedAndForgedRevocationsAreCaught(engine: Engine) throws {
        let f = Fixture(engine)
        let (l, key) = try Self.populated(f)
        #expect(try l.revoke([(issuerSKID: "BB", serial: "11")], reason: "keyCompromise", actor: "t", payload: [:]) == RevocationOutcome(revoked: 1, alreadyRevoked: 0))
        #expect(try Self.problems(l, key).isEmpty)
        try f.tamper(l, f.dropTrigger("revocations_no_update", on: "revocations") + " UPDATE revocations SET reason = 'superseded';")
        let p = try Self.problems(l, key)
        #expect(p == [
            "certificate BB/11 (entry 4): its revocation does not match the hash recorded when it was written (edited revocation)",
            "entry 4: the entry recorded 1 revocation(s), the ledger holds 1 matching ones (deleted, inserted or edited revocations)"], "\(p)")
    }

    @Test(arguments: Engine.all) func theLedgerStorageIsTheOwnersOnly(engine: Engine) throws {
        switch engine {
        case .sqlite:
            let dir = try CLI.tempDirectory("mode")
            let path = dir.appendingPathComponent("l.sqlite").path
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644])
            _ = try SQLiteLedger(path: path)
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        case .postgres:
            // The location printed anywhere never carries the password.
            let f = Fixture(engine)
            let l = try f.ledger()
            let password = try #require(PostgresTestServer.configured?.password)
            #expect(!l.location.contains(password) && l.location.hasPrefix("postgres://") && l.engine == "postgres")
        }
    }
}

/// The audit payload is JSON written by hand: any text round-trips through a JSON reader.
@Suite struct AuditPayloadTests {
    @Test func payloadTextIsJSONForAnyText() throws {
        let tricky = ["quote": "a\"b", "backslash": "c\\d", "newline": "e\nf\r\tg", "control": "\u{01}\u{1F}", "unicode": "Zürich ✓ 🔐", "slash": "a/b", "": ""]
        let text = AuditChain.payloadText(tricky)
        let back = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(back == tricky, "\(text)")
        #expect(AuditChain.payloadText(["b": "1", "a": "2"]) == #"{"a":"2","b":"1"}"#)
    }
}

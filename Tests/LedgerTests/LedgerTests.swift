import Crypto
import Foundation
@testable import Ledger
import Testing
import TestSupport

/// The ledger protocol's conformance suite, run here on SQLite (the embedded default); another engine runs the same
/// tests through `Self.engines`.
@Suite struct LedgerTests {
    static func ledger() throws -> SQLiteLedger { try SQLiteLedger(path: try CLI.tempDirectory("ledger").appendingPathComponent("l.sqlite").path) }

    static func certificate(serial: String, sha: String, der: [UInt8] = [1], batch: String? = nil, item: Int? = nil, issuer: String = "AA") -> CertificateRecord {
        var d = der
        if d == [1] { d = Array(SHA256.hash(data: Data(sha.utf8))) }
        return CertificateRecord(issuerSKID: issuer, serial: serial, type: batch == nil ? "pai" : "dac", subject: "CN=x", skid: sha, vid: 1, pid: nil,
                                 notBefore: Date(), notAfter: Date(), der: Data(d), sha256: SHA256.hash(data: d).map { String(format: "%02X", $0) }.joined(),
                                 batchID: batch, batchItem: item, createdAt: Date())
    }
    static func authority(_ skid: String) -> AuthorityRecord {
        AuthorityRecord(skid: skid, type: "pai", name: "x", tokenLabel: "t", keyLabel: "k", serial: "01", parentSKID: nil, vid: 1, pid: nil,
                        certificateSHA256: skid, createdAt: Date())
    }
    static func batch(_ id: String, key: String) -> BatchRecord {
        BatchRecord(id: id, idempotencyKey: key, vid: 1, pid: 1, paiSKID: "AA", kind: "generated", count: 10, requestSHA256: "r", status: "started",
                    createdAt: Date(), completedAt: nil)
    }
    static func sqlite(_ l: SQLiteLedger, _ sql: String) throws {
        let r = try CLI.exec("sqlite3", [l.path, sql])
        #expect(r.status == 0, "\(r.output)")
    }

    @Test func aReusedSerialIsRefusedTypedAndChangesNothing() throws {
        let l = try Self.ledger()
        let c1 = try l.beginCeremony(kind: "pai.issue", actor: "t", detail: [:])
        try l.completeCeremony(c1, certificate: Self.certificate(serial: "0102", sha: "S1"), authority: Self.authority("K1"), payload: [:])
        let c2 = try l.beginCeremony(kind: "pai.issue", actor: "t", detail: [:])
        let before = (try l.counts(), try l.auditHead())
        #expect(throws: LedgerError.serialCollision) {
            try l.completeCeremony(c2, certificate: Self.certificate(serial: "0102", sha: "S2"), authority: Self.authority("K2"), payload: [:])
        }
        #expect(try l.counts() == before.0 && l.auditHead() == before.1)
        let report = try l.verifyAudit()
        #expect(report.intact && report.entries == 3 && report.certificateRows == 1, "\(report)")
    }

    @Test func eachConstraintHasItsOwnError() throws {
        let l = try Self.ledger()
        try l.createBatch(Self.batch("B1", key: "k"), actor: "t")
        #expect(throws: LedgerError.idempotencyKeyTaken("k")) { try l.createBatch(Self.batch("B2", key: "k"), actor: "t") }
        try l.commitChunk([Self.certificate(serial: "01", sha: "A", batch: "B1", item: 0)], batchID: "B1", actor: "t")
        // The same item again with a fresh serial: another process did that work; not a serial collision.
        #expect(throws: LedgerError.batchItemClash(batchID: "B1")) {
            try l.commitChunk([Self.certificate(serial: "02", sha: "B", batch: "B1", item: 0)], batchID: "B1", actor: "t")
        }
        #expect(throws: LedgerError.serialCollision) {
            try l.commitChunk([Self.certificate(serial: "01", sha: "C", batch: "B1", item: 1)], batchID: "B1", actor: "t")
        }
        #expect(try l.batchItemsIssued("B1") == [0])
    }

    @Test func aBatchLeaseKeepsASecondRunnerOut() throws {
        let l = try Self.ledger()
        try l.createBatch(Self.batch("B1", key: "k"), actor: "t")
        let until = Date().addingTimeInterval(60)
        try l.claimBatch(id: "B1", owner: "host:1", until: until, ownerIsGone: { _ in false })
        try l.claimBatch(id: "B1", owner: "host:1", until: until, ownerIsGone: { _ in false })   // renewal
        #expect(throws: LedgerError.self) { try l.claimBatch(id: "B1", owner: "host:2", until: until, ownerIsGone: { _ in false }) }
        try l.claimBatch(id: "B1", owner: "host:2", until: until, ownerIsGone: { $0 == "host:1" })   // the holder died
        #expect(try l.batch(id: "B1")?.leaseOwner == "host:2")
        try l.completeBatch("B1", actor: "t")
        #expect(try l.batch(id: "B1")?.leaseOwner == nil && l.batch(id: "B1")?.status == "completed")
    }

    @Test func theCanonicalEncodingKeepsFieldBoundaries() {
        #expect(Canonical.sha256(["a|b", "c"]) != Canonical.sha256(["a", "b|c"]))
        #expect(Canonical.sha256(["ab", "c"]) != Canonical.sha256(["a", "bc"]))
        #expect(Canonical.encode(["ab"]) == [0, 0, 0, 2, 0x61, 0x62])
    }

    @Test func theChainCoversEveryEntry() throws {
        let l = try Self.ledger()
        for i in 0..<50 { try l.audit(actor: "t", action: "test", payload: ["i": "\(i)"]) }
        #expect(try l.verifyAudit().entries == 50 && l.verifyAudit().intact)
        let mode = try CLI.exec("sqlite3", [l.path, "PRAGMA journal_mode;"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(mode == "wal")
        try Self.sqlite(l, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 7;")
        #expect(try l.verifyAudit().problems.first?.description == "entry 7: entries 7…7 are missing")
    }

    /// A ledger with a batch of certificates and a signed checkpoint, for the tampering tests.
    static func populated() throws -> (SQLiteLedger, P256.Signing.PrivateKey) {
        let l = try ledger()
        let key = P256.Signing.PrivateKey()
        try l.createBatch(batch("B1", key: "k"), actor: "t")
        try l.commitChunk((0..<5).map { certificate(serial: String(format: "%02X", $0 + 16), sha: "D\($0)", batch: "B1", item: $0, issuer: "BB") },
                          batchID: "B1", actor: "t")
        try l.completeBatch("B1", actor: "t")
        try sign(l, key)
        return (l, key)
    }

    static func sign(_ l: SQLiteLedger, _ key: P256.Signing.PrivateKey) throws {
        let head = try l.auditHead()
        let sig = try key.signature(for: AuditCheckpoint.message(seq: head.seq, hash: head.hash, at: "2026-01-01T00:00:00Z")).derRepresentation
        try l.addCheckpoint(AuditCheckpoint(seq: head.seq, hash: head.hash, at: "2026-01-01T00:00:00Z", keyID: "K", signature: sig))
    }

    static func problems(_ l: SQLiteLedger, _ key: P256.Signing.PrivateKey) throws -> [String] {
        try l.verifyAudit(checkpointKey: key.publicKey).problems.map(\.description)
    }

    @Test func editedCertificateRowsAreNamed() throws {
        for (column, value) in [("vid", "2"), ("status", "'revoked'"), ("der", "X'00'"), ("subject", "'CN=y'")] {
            let (l, key) = try Self.populated()
            #expect(try Self.problems(l, key).isEmpty)
            try Self.sqlite(l, "UPDATE certificates SET \(column) = \(value) WHERE serial = '12';")
            let p = try Self.problems(l, key)
            let named = p.contains { $0.hasPrefix("certificate BB/12 (entry 2):") }
            #expect(named, "\(column): \(p)")
        }
    }

    @Test func deletedAndInsertedCertificateRowsAreCaught() throws {
        let (l, key) = try Self.populated()
        try Self.sqlite(l, "DELETE FROM certificates WHERE serial = '12';")
        #expect(try Self.problems(l, key).contains("entry 2: the entry recorded 5 certificate row(s), the ledger holds 4 (deleted or inserted rows)"))
        let (l2, key2) = try Self.populated()
        try Self.sqlite(l2, """
            INSERT INTO certificates (issuerSKID, serial, type, subject, skid, vid, notBefore, notAfter, der, sha256, status, createdAt)
            VALUES ('BB', '7F', 'dac', 'CN=forged', 'FF', 1, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', X'01', '4BF5122F344554C53BDE2EBB8CD2B7E3D1600AD631C385A5D7CCE23C7785459A', 'issued', '2026-01-01 00:00:00.000');
            """)
        #expect(try Self.problems(l2, key2).contains("certificate BB/7F: no audit entry recorded this certificate (inserted row)"))
    }

    @Test func truncationAndRewritesAreCaughtByTheSignedCheckpoint() throws {
        let (l, key) = try Self.populated()
        try Self.sqlite(l, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 3;")
        #expect(try Self.problems(l, key).contains { $0.contains("entries 3…3 were deleted") })
        // A rewritten chain with recomputed hashes: every link holds, the checkpoint does not.
        let (l2, key2) = try Self.populated()
        let rows = try CLI.exec("sqlite3", ["-separator", "\t", l2.path, "SELECT seq, prevHash, at, actor, action, payloadSHA256 FROM audit_log ORDER BY seq"]).stdout
        var prev = String(repeating: "0", count: 64)
        var sql = "DROP TRIGGER audit_log_no_update; "
        for line in rows.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let actor = "intruder"
            let h = Canonical.sha256(["matter-ca audit v2", prev, f[0], f[2], actor, f[4], f[5]])
            sql += "UPDATE audit_log SET actor = '\(actor)', prevHash = '\(prev)', hash = '\(h)' WHERE seq = \(f[0]); "
            prev = h
        }
        try Self.sqlite(l2, sql)
        let p = try Self.problems(l2, key2)
        #expect(p == ["checkpoint 3: entry 3 is not the entry the checkpoint of 2026-01-01T00:00:00Z signed: the chain was rewritten"], "\(p)")
        // A forged checkpoint does not verify with the token's key.
        try Self.sign(l2, P256.Signing.PrivateKey())
        #expect(try Self.problems(l2, key2).count == 1)
    }

    @Test func theLedgerFileIsTheOwnersOnly() throws {
        let dir = try CLI.tempDirectory("mode")
        let path = dir.appendingPathComponent("l.sqlite").path
        FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644])
        _ = try SQLiteLedger(path: path)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
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

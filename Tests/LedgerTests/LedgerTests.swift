import Foundation
import Ledger
import Testing
import TestSupport

@Suite struct LedgerTests {
    static func ledger() throws -> Ledger { try Ledger(path: try CLI.tempDirectory("ledger").appendingPathComponent("l.sqlite").path) }

    static func certificate(serial: String, sha: String) -> CertificateRecord {
        CertificateRecord(issuerSKID: "AA", serial: serial, type: "pai", subject: "CN=x", skid: sha, vid: 1, pid: nil, notBefore: Date(),
                          notAfter: Date(), der: Data([1]), sha256: sha, createdAt: Date())
    }
    static func authority(_ skid: String) -> AuthorityRecord {
        AuthorityRecord(skid: skid, type: "pai", name: "x", tokenLabel: "t", keyLabel: "k", serial: "01", parentSKID: nil, vid: 1, pid: nil,
                        certificateSHA256: skid, createdAt: Date())
    }

    @Test func aReusedSerialIsRefusedAndChangesNothing() throws {
        let l = try Self.ledger()
        let c1 = try l.beginCeremony(kind: "pai.issue", actor: "t", detail: [:])
        try l.completeCeremony(c1, certificate: Self.certificate(serial: "0102", sha: "S1"), authority: Self.authority("K1"), payload: [:])
        let c2 = try l.beginCeremony(kind: "pai.issue", actor: "t", detail: [:])
        let before = (try l.counts(), try l.auditHead())
        #expect(throws: Ledger.LedgerError.serialCollision) {
            try l.completeCeremony(c2, certificate: Self.certificate(serial: "0102", sha: "S2"), authority: Self.authority("K2"), payload: [:])
        }
        #expect(try l.counts() == before.0 && l.auditHead() == before.1)
        #expect(try l.verifyAudit() == .intact(entries: 3))
    }

    @Test func theChainCoversEveryEntry() throws {
        let l = try Self.ledger()
        for i in 0..<50 { try l.audit(actor: "t", action: "test", payload: ["i": "\(i)"]) }
        #expect(try l.verifyAudit() == .intact(entries: 50))
        // The database is in WAL mode (concurrent readers while a writer commits).
        let mode = try CLI.exec("sqlite3", [l.path, "PRAGMA journal_mode;"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(mode == "wal")
        let del = try CLI.exec("sqlite3", [l.path, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 7;"])
        #expect(del.status == 0)
        #expect(try l.verifyAudit() == .broken(seq: 7, reason: "entry 7 is missing"))
    }
}

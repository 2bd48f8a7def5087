import Crypto
import Foundation
@testable import Ledger
import Testing
import TestSupport

/// `ledger migrate`: a SQLite ledger copied verbatim into an empty ledger of every engine.
@Suite struct LedgerTransferTests {
    /// A SQLite ledger with a row in every table: ceremonies, authorities (a PAI under a PAA), vendors, a batch,
    /// single certificates, revocations, CRLs (partitioned), credentials, checkpoints.
    static func richSQLite() throws -> (SQLiteLedger, P256.Signing.PrivateKey) {
        let l = try SQLiteLedger(path: try CLI.tempDirectory("rich").appendingPathComponent("l.sqlite").path, clock: tickingClock())
        let key = P256.Signing.PrivateKey()
        let c1 = try l.beginCeremony(kind: "paa.create", actor: "alice", detail: [:])
        try l.completeCeremony(c1, certificate: Make.certificate(serial: "01", sha: "paa", issuer: "A1", type: "paa"),
                               authority: Make.authority("A1", type: "paa"), payload: [:])
        let c2 = try l.beginCeremony(kind: "pai.issue", actor: "alice", detail: [:])
        // The PAI sorts before its PAA: the import must not depend on key order for the self-reference.
        try l.completeCeremony(c2, certificate: Make.certificate(serial: "02", sha: "pai", issuer: "A1"), authority: Make.authority("0B", parent: "A1"), payload: [:])
        let c3 = try l.beginCeremony(kind: "pai.issue", actor: "bob", detail: [:])
        try l.failCeremony(c3, reason: "no")
        _ = try l.importVendors([VendorDefinition(vendor: VendorRecord(vid: 0xFFF1, name: "V", contact: nil, source: "s", definitionSHA256: "h",
                                                                       updatedAt: Date()), products: [0x8000...0x8005, 1...2], paiSKIDs: ["0B"])],
                                actor: "alice", source: "dir")
        try l.createBatch(Make.batch("B1", key: "k1"), actor: "alice")
        try l.claimBatch(id: "B1", owner: "host:1", until: Date().addingTimeInterval(60), ownerIsGone: { _ in false })
        try l.commitChunk(Make.dacs(5..<40, batch: "B1", issuer: "0B"), batchID: "B1", actor: "alice")
        try l.commitChunk(Make.dacs(0..<5, batch: "B1", issuer: "0B"), batchID: "B1", actor: "alice")
        try Make.checkpoint(l, key)
        try l.recordCertificates([CertificateGroup(certificates: [Make.certificate(serial: "99", sha: "single", issuer: "0B")], actor: "v", action: "dac.issue",
                                                   payload: [:])])
        _ = try l.revoke([("0B", "0012"), ("0B", "0030")], reason: "keyCompromise", actor: "alice", payload: [:])
        try l.recordCRLs([CRLRecord(publication: "P1", caSKID: "0B", signerSKID: "0B", partition: nil, number: 1, thisUpdate: Date(), nextUpdate: Date(),
                                    entries: 2, size: 99, sha256: "s", url: "u", file: "f"),
                          CRLRecord(publication: "P1", caSKID: "A1", signerSKID: "A1", partition: 2, number: 7, thisUpdate: Date(), nextUpdate: Date(),
                                    entries: 0, size: 9, sha256: "t", url: "v", file: "g")], actor: "alice")
        try l.addCredential(CredentialRecord(id: "tok_1", kind: .token, role: .vendor, vid: 0xFFF1, label: "l", secretSHA256: "s1", createdAt: Date()), actor: "a")
        _ = try l.revokeCredential(id: "tok_1", actor: "a")
        try l.createBatch(Make.batch("B2", key: "k2"), actor: "alice")
        try Make.checkpoint(l, key, at: "2026-01-02T00:00:00Z")
        return (l, key)
    }

    static func exported(_ l: any Ledger) throws -> [(String, [String: LedgerValue])] {
        var out: [(String, [String: LedgerValue])] = []
        try l.exportRows { out.append(($0, $1)) }
        return out
    }

    @Test(arguments: Engine.all) func aSQLiteLedgerIsCopiedVerbatim(engine: Engine) throws {
        let (source, key) = try Self.richSQLite()
        let f = Fixture(engine)
        let target = try f.ledger()
        try target.importRows(from: source)
        let counts = try source.counts()
        #expect(counts.values.allSatisfy { $0 > 0 }, "\(counts)")
        #expect(try target.counts() == counts)
        let a = try source.verifyAudit(checkpointKey: key.publicKey), b = try target.verifyAudit(checkpointKey: key.publicKey)
        #expect(a.intact && a == b, "\(b)")
        #expect(try target.auditHead() == source.auditHead())
        // Every row of every table, in the same order, every column the same.
        let rowsA = try Self.exported(source), rowsB = try Self.exported(target)
        #expect(rowsA.count == rowsB.count)
        for (x, y) in zip(rowsA, rowsB) where x.0 != y.0 || x.1 != y.1 {
            Issue.record("\(x.0) \(x.1) ≠ \(y.0) \(y.1)")
            break
        }
        #expect(Set(rowsA.map(\.0)) == Set(LedgerSchema.tables.map(\.name)))
        var order: [String] = [], orderB: [String] = []
        try source.forEachCertificate(CertificateFilter(), after: nil, limit: nil) { order.append("\($1.issuerSKID)/\($1.serial)/\($1.status)") }
        try target.forEachCertificate(CertificateFilter(), after: nil, limit: nil) { orderB.append("\($1.issuerSKID)/\($1.serial)/\($1.status)") }
        #expect(order == orderB && order.count == 43)
        #expect(try target.vendor(vid: 0xFFF1) == source.vendor(vid: 0xFFF1))
        #expect(try target.currentCRLs() == source.currentCRLs())
        // The copy goes on: the next CRL row, audit entry and certificate continue where the source stopped.
        try target.recordCRLs([CRLRecord(publication: "P2", caSKID: "0B", signerSKID: "0B", partition: nil, number: 2, thisUpdate: Date(), nextUpdate: Date(),
                                         entries: 2, size: 99, sha256: "s", url: "u", file: "f")], actor: "alice")
        #expect(try target.currentCRLs().map(\.publication) == ["P2", "P1"])
        try target.commitChunk(Make.dacs(40..<42, batch: "B2", issuer: "0B"), batchID: "B2", actor: "alice")
        #expect(try target.verifyAudit(checkpointKey: key.publicKey).intact && target.auditHead().seq == source.auditHead().seq + 2)
    }

    @Test(arguments: Engine.all) func anImportIntoALedgerWithRowsIsRefusedAndChangesNothing(engine: Engine) throws {
        let (source, _) = try Self.richSQLite()
        let f = Fixture(engine)
        let target = try f.ledger()
        try target.audit(actor: "t", action: "something", payload: [:])
        let before = try Snapshot(target)
        #expect {
            try target.importRows(from: source)
        } throws: { e in
            guard case LedgerError.notEmpty(let m) = e else { return false }
            return m.contains("audit_log: 1") && m.contains(target.location)
        }
        #expect(try Snapshot(target) == before)
    }

    @Test(arguments: Engine.postgresOnly) func aPostgreSQLLedgerExportsBackToSQLiteVerbatim(engine: Engine) throws {
        let (source, key) = try Self.richSQLite()
        let f = Fixture(engine)
        let pg = try f.ledger()
        try pg.importRows(from: source)
        let back = try SQLiteLedger(path: try CLI.tempDirectory("back").appendingPathComponent("l.sqlite").path)
        try back.importRows(from: pg)
        #expect(try back.verifyAudit(checkpointKey: key.publicKey) == source.verifyAudit(checkpointKey: key.publicKey))
        let a = try Self.exported(source), b = try Self.exported(back)
        #expect(a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 })
    }
}

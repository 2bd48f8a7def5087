import Crypto
import Foundation
@testable import Ledger
import Testing
import TestSupport

/// The rest of the protocol, on every engine: reads and listings, single certificates, revocations, CRLs, ceremonies,
/// vendors, credentials, the audit log's reads and checkpoints.
@Suite struct LedgerProtocolTests {
    @Test(arguments: Engine.all) func authoritiesAndCertificatesReadBackField(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger(clock: tickingClock())
        let t = Date(timeIntervalSince1970: 1_790_000_000)
        let paa = AuthorityRecord(skid: "A1", type: "paa", name: "PAA", tokenLabel: "tok", keyLabel: "paa", serial: "01", parentSKID: nil, vid: nil, pid: nil,
                                  certificateSHA256: "H1", createdAt: t)
        let pai = AuthorityRecord(skid: "B2", type: "pai", name: "PAI", tokenLabel: "tok", keyLabel: "pai", serial: "02", parentSKID: "A1", vid: 0xFFF1,
                                  pid: 0x8000, certificateSHA256: "H2", createdAt: t.addingTimeInterval(1))
        let c1 = try l.beginCeremony(kind: "paa.create", actor: "alice", detail: ["why": "root"])
        try l.completeCeremony(c1, certificate: Make.certificate(serial: "01", sha: "P1", issuer: "A1", vid: nil, type: "paa", at: t), authority: paa, payload: [:])
        let c2 = try l.beginCeremony(kind: "pai.issue", actor: "alice", detail: [:])
        try l.completeCeremony(c2, certificate: Make.certificate(serial: "02", sha: "P2", issuer: "A1", vid: 0xFFF1, type: "pai", at: t.addingTimeInterval(1)),
                               authority: pai, payload: ["note": "x"])
        let c3 = try l.beginCeremony(kind: "pai.issue", actor: "bob", detail: [:])
        try l.failCeremony(c3, reason: "token refused the PIN")

        #expect(try l.authorities().map(\.skid) == ["A1", "B2"])
        #expect(try l.authorities(type: "pai").map(\.skid) == ["B2"])
        let got = try #require(try l.authority(skid: "b2"))   // SKIDs are looked up in upper case
        #expect(got.parentSKID == "A1" && got.vid == 0xFFF1 && got.pid == 0x8000 && got.name == "PAI" && got.createdAt == t.addingTimeInterval(1))
        #expect(try l.authority(skid: "ZZ") == nil)
        let ceremonies = try l.ceremonies()
        #expect(ceremonies.map(\.status) == ["completed", "completed", "failed"])
        #expect(ceremonies[0].keySKID == "A1" && ceremonies[1].certificateSHA256 == Make.certificate(serial: "02", sha: "P2").sha256)
        #expect(ceremonies[2].detail == "token refused the PIN" && ceremonies[2].completedAt != nil)
        #expect(try l.auditEntries(action: nil, limit: 10).map(\.action) == ["paa.create.start", "paa.create", "pai.issue.start", "pai.issue", "pai.issue.start",
                                                                             "pai.issue.failed"])

        try l.createBatch(Make.batch("B1", key: "k"), actor: "t")
        try l.commitChunk(Make.dacs(0..<3, batch: "B1", issuer: "B2"), batchID: "B1", actor: "t")
        try l.createBatch(Make.batch("B2", key: "k2"), actor: "t")
        var other = Make.dacs(0..<2, batch: "B2", issuer: "C3", tag: "E")
        for i in other.indices { other[i].vid = 0xFFF2 }
        try l.commitChunk(other, batchID: "B2", actor: "t")

        let all = try l.certificates()
        #expect(all.count == 7)
        let paiCert = try #require(try l.certificates(type: "pai").first)
        let original = Make.certificate(serial: "02", sha: "P2", issuer: "A1", vid: 0xFFF1, type: "pai", at: t.addingTimeInterval(1))
        #expect(paiCert.der == original.der && paiCert.sha256 == original.sha256 && paiCert.notBefore == original.notBefore
                && paiCert.notAfter == original.notAfter && paiCert.createdAt == original.createdAt && paiCert.status == "issued" && paiCert.vid == 0xFFF1
                && paiCert.batchID == nil && paiCert.batchItem == nil && paiCert.pid == nil && paiCert.subject == "CN=x")
        #expect(try l.certificates(type: "dac").count == 5)
        // By serial (any issuer), then by SKID.
        #expect(try l.certificates(matching: "0010").map(\.skid) == ["DB10", "EB20"])
        #expect(try l.certificates(matching: "p1").map(\.serial) == ["01"])
        #expect(try l.certificates(matching: "nothing").isEmpty)
        #expect(try l.dacs(vid: nil, batchID: nil).count == 5)
        #expect(try l.dacs(vid: 0xFFF2, batchID: nil).map(\.batchItem) == [0, 1])
        #expect(try l.dacs(vid: 1, batchID: "B1").map(\.batchItem) == [0, 1, 2])
        #expect(try l.dacs(vid: 1, batchID: "B2").isEmpty)
        #expect(try l.serials(issuedBy: "B2") == ["0010", "0011", "0012"] && l.serials(issuedBy: "C3") == ["0010", "0011"] && l.serials(issuedBy: "A1") == ["01", "02"])
    }

    @Test(arguments: Engine.all) func forEachCertificatePagesInRecordingOrder(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        try l.createBatch(Make.batch("B1", key: "k1"), actor: "t")
        try l.createBatch(Make.batch("B2", key: "k2"), actor: "t")
        // Recorded out of item order, interleaved between batches, with the same createdAt.
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        func dacs(_ items: [Int], _ batch: String, vid: Int) -> [CertificateRecord] {
            items.map { var c = Make.certificate(serial: "\(batch)-\($0)", sha: "\(batch)\($0)", batch: batch, item: $0, at: at); c.vid = vid; return c }
        }
        try l.commitChunk(dacs([5, 6, 7], "B1", vid: 1), batchID: "B1", actor: "t")
        try l.commitChunk(dacs([0, 1], "B2", vid: 2), batchID: "B2", actor: "t")
        try l.recordCertificates([CertificateGroup(certificates: [Make.certificate(serial: "S1", sha: "single", at: at)], actor: "t", action: "pai.import", payload: [:])])
        try l.commitChunk(dacs([0, 1, 2, 3, 4], "B1", vid: 1), batchID: "B1", actor: "t")

        var everything: [(Int64, String)] = []
        try l.forEachCertificate(CertificateFilter(), after: nil, limit: nil) { everything.append(($0, $1.serial)) }
        #expect(everything.map(\.1) == ["B1-5", "B1-6", "B1-7", "B2-0", "B2-1", "S1", "B1-0", "B1-1", "B1-2", "B1-3", "B1-4"])
        #expect(zip(everything, everything.dropFirst()).allSatisfy { $0.0 < $1.0 })
        // Pages of 3, each after the last cursor of the one before: the same rows, once each.
        var paged: [String] = [], cursor: Int64? = nil, pages = 0
        while true {
            var page: [(Int64, String)] = []
            try l.forEachCertificate(CertificateFilter(), after: cursor, limit: 3) { page.append(($0, $1.serial)) }
            if page.isEmpty { break }
            pages += 1
            #expect(page.count <= 3)
            paged += page.map(\.1); cursor = page.last!.0
        }
        #expect(paged == everything.map(\.1) && pages == 4)
        var b1: [String] = []
        try l.forEachCertificate(CertificateFilter(type: "dac", vid: 1, batchID: "B1"), after: everything[2].0, limit: 4) { b1.append($1.serial) }
        #expect(b1 == ["B1-0", "B1-1", "B1-2", "B1-3"])
        var vid2: [String] = [], pais: [String] = []
        try l.forEachCertificate(CertificateFilter(vid: 2), after: nil, limit: nil) { vid2.append($1.serial) }
        try l.forEachCertificate(CertificateFilter(type: "pai"), after: nil, limit: 0) { pais.append($1.serial) }
        #expect(vid2 == ["B2-0", "B2-1"] && pais.isEmpty)
        // The batch's certificates in item order, whatever the recording order.
        #expect(try l.batchCertificates("B1").map(\.serial) == (0..<8).map { "B1-\($0)" })
        // The body's error stops the walk and reaches the caller.
        struct Stop: Error {}
        var seen = 0
        #expect(throws: Stop.self) { try l.forEachCertificate(CertificateFilter(), after: nil, limit: nil) { _, _ in seen += 1; if seen == 2 { throw Stop() } } }
        #expect(seen == 2)
    }

    @Test(arguments: Engine.all) func recordCertificatesWritesOneEntryPerGroupAllOrNothing(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        try l.recordCertificates([
            CertificateGroup(certificates: [Make.certificate(serial: "01", sha: "a")], actor: "vendor:FFF1", action: "dac.issue", payload: ["via": "rest"]),
            CertificateGroup(certificates: [], actor: "nobody", action: "dac.issue", payload: [:]),
            CertificateGroup(certificates: [Make.certificate(serial: "02", sha: "b"), Make.certificate(serial: "03", sha: "c")], actor: "vendor:FFF2",
                             action: "dac.issue", payload: ["via": "est"]),
        ])
        let entries = try l.auditEntries(action: "dac.issue", limit: 10)
        #expect(entries.map(\.actor) == ["vendor:FFF1", "vendor:FFF2"])
        let single = try JSONSerialization.jsonObject(with: Data(entries[0].payload.utf8)) as! [String: String]
        #expect(single["serial"] == "01" && single["issuer"] == "AA" && single["count"] == "1" && single["via"] == "rest" && single["rows.count"] == "1")
        let pair = try JSONSerialization.jsonObject(with: Data(entries[1].payload.utf8)) as! [String: String]
        #expect(pair["serial"] == nil && pair["count"] == "2" && pair["rows.count"] == "2")
        let before = try Snapshot(l)
        // The second group collides: neither group is recorded.
        #expect(throws: LedgerError.serialCollision) {
            try l.recordCertificates([
                CertificateGroup(certificates: [Make.certificate(serial: "04", sha: "d")], actor: "a", action: "dac.issue", payload: [:]),
                CertificateGroup(certificates: [Make.certificate(serial: "02", sha: "e")], actor: "b", action: "dac.issue", payload: [:]),
            ])
        }
        #expect(try Snapshot(l) == before)
        #expect(try l.verifyAudit().intact && l.verifyAudit().certificateRows == 3)
    }

    @Test(arguments: Engine.all) func revocationsAreCountedOnceAndRefusedWhole(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        try l.createBatch(Make.batch("B1", key: "k"), actor: "t")
        try l.commitChunk(Make.dacs(0..<4, batch: "B1"), batchID: "B1", actor: "t")
        let serials = try l.serials(issuedBy: "BB")
        #expect(serials == ["0010", "0011", "0012", "0013"])
        let out = try l.revoke([("BB", "0012"), ("BB", "0010")], reason: "keyCompromise", actor: "alice", payload: ["ticket": "7"])
        #expect(out == RevocationOutcome(revoked: 2, alreadyRevoked: 0))
        let head = try l.auditHead()
        // Twice: counted, not changed, nothing written.
        #expect(try l.revoke([("BB", "0010"), ("BB", "0012")], reason: "superseded", actor: "bob", payload: [:]) == RevocationOutcome(revoked: 0, alreadyRevoked: 2))
        #expect(try l.auditHead() == head)
        #expect(try l.revoke([("BB", "0010"), ("BB", "0011")], reason: "superseded", actor: "bob", payload: [:]) == RevocationOutcome(revoked: 1, alreadyRevoked: 1))
        let before = try Snapshot(l)
        // One unknown certificate: the whole revocation is refused, the known one included.
        #expect(throws: LedgerError.notFound("certificate 0099 of issuer BB")) {
            try l.revoke([("BB", "0013"), ("BB", "0099")], reason: "keyCompromise", actor: "alice", payload: [:])
        }
        #expect(try Snapshot(l) == before && l.revocation(issuerSKID: "BB", serial: "0013") == nil)
        var listed: [RevocationRecord] = []
        try l.forEachRevocation(issuerSKID: "BB") { listed.append($0) }
        #expect(listed.map(\.serial) == ["0010", "0011", "0012"] && listed.map(\.reason) == ["keyCompromise", "superseded", "keyCompromise"])
        #expect(listed[0].actor == "alice" && listed[1].actor == "bob")
        var none = 0
        try l.forEachRevocation(issuerSKID: "AA") { _ in none += 1 }
        #expect(none == 0)
        let r = try #require(try l.revocation(issuerSKID: "BB", serial: "0011"))
        #expect(r.reason == "superseded" && r.actor == "bob")
        #expect(try l.batchCertificates("B1").map(\.status) == ["revoked", "revoked", "revoked", "issued"])
        let entry = try #require(try l.auditEntries(action: "revoke", limit: 5).first)
        #expect(entry.payload.contains(#""ticket":"7""#) && entry.payload.contains(#""revocations.count":"2""#))
        #expect(try l.verifyAudit().intact)
    }

    @Test(arguments: Engine.all) func crlNumbersAndTheCurrentPublication(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        #expect(try l.lastCRLNumber(signerSKID: "S1") == nil && l.currentCRLs().isEmpty)
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        func crl(_ pub: String, ca: String, signer: String, partition: Int?, number: Int64) -> CRLRecord {
            CRLRecord(publication: pub, caSKID: ca, signerSKID: signer, partition: partition, number: number, thisUpdate: t, nextUpdate: t.addingTimeInterval(3600),
                      entries: Int(number), size: 100, sha256: "h\(number)", url: "http://crl/\(ca)", file: "crl/\(ca)-\(number).crl")
        }
        try l.recordCRLs([crl("P1", ca: "CA1", signer: "S1", partition: nil, number: 1), crl("P1", ca: "CA2", signer: "S2", partition: nil, number: 1)], actor: "t")
        try l.recordCRLs([crl("P2", ca: "CA1", signer: "S1", partition: 1, number: 2), crl("P2", ca: "CA1", signer: "S1", partition: 0, number: 3)], actor: "t")
        #expect(try l.lastCRLNumber(signerSKID: "S1") == 3 && l.lastCRLNumber(signerSKID: "S2") == 1)
        let current = try l.currentCRLs()
        #expect(current.map(\.publication) == ["P2", "P2", "P1"] && current.map(\.partition) == [0, 1, nil] && current.map(\.caSKID) == ["CA1", "CA1", "CA2"])
        #expect(current[2] == crl("P1", ca: "CA2", signer: "S2", partition: nil, number: 1))
        let before = try Snapshot(l)
        // A publication whose second CRL reuses a number: none of it is recorded.
        #expect(throws: LedgerError.crlNumberTaken) {
            try l.recordCRLs([crl("P3", ca: "CA2", signer: "S2", partition: nil, number: 2), crl("P3", ca: "CA1", signer: "S1", partition: nil, number: 3)], actor: "t")
        }
        #expect(try Snapshot(l) == before && l.lastCRLNumber(signerSKID: "S2") == 1)
        #expect(try l.auditEntries(action: "crl.publish", limit: 10).count == 4 && l.verifyAudit().intact)
    }

    @Test(arguments: Engine.all) func vendorsImportAddedUpdatedUnchanged(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        let c = try l.beginCeremony(kind: "pai.issue", actor: "t", detail: [:])
        try l.completeCeremony(c, certificate: Make.certificate(serial: "01", sha: "x"), authority: Make.authority("AA"), payload: [:])
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        func vendor(_ vid: Int, _ sha: String, products: [ClosedRange<Int>], pais: [String], contact: String? = nil) -> VendorDefinition {
            VendorDefinition(vendor: VendorRecord(vid: vid, name: "V\(vid)", contact: contact, source: "fff\(vid).yaml", definitionSHA256: sha, updatedAt: t),
                             products: products, paiSKIDs: pais)
        }
        let v1 = vendor(0xFFF1, "h1", products: [0x8000...0x8010, 0x10...0x20], pais: ["AA"], contact: "ops@x")
        let v2 = vendor(0xFFF2, "h2", products: [1...1], pais: [])
        #expect(try l.importVendors([v1, v2], actor: "alice", source: "dir") == [0xFFF1: .added, 0xFFF2: .added])
        let head = try l.auditHead()
        #expect(try l.importVendors([v1, v2], actor: "alice", source: "dir") == [0xFFF1: .unchanged, 0xFFF2: .unchanged])
        #expect(try l.auditHead() == head)   // nothing changed: nothing written
        let v2b = vendor(0xFFF2, "h2b", products: [2...3, 5...9], pais: ["AA"])
        #expect(try l.importVendors([v1, v2b], actor: "alice", source: "dir") == [0xFFF1: .unchanged, 0xFFF2: .updated])
        #expect(try l.auditEntries(action: "vendor.import", limit: 5).last?.payload == #"{"changes":"FFF1:unchanged FFF2:updated","source":"dir"}"#)
        let got = try #require(try l.vendor(vid: 0xFFF1))
        #expect(got.products == [0x10...0x20, 0x8000...0x8010] && got.paiSKIDs == ["AA"] && got.vendor == v1.vendor)
        #expect(try l.vendor(vid: 0xFFF2)?.products == [2...3, 5...9] && l.vendor(vid: 0xFFF3) == nil)
        #expect(try l.vendors().map(\.vendor.vid) == [0xFFF1, 0xFFF2])
        // A PAI the ledger does not hold: refused by the foreign key, nothing of the import recorded.
        let before = try Snapshot(l)
        #expect(throws: LedgerError.self) {
            try l.importVendors([vendor(0xFFF3, "h3", products: [], pais: []), vendor(0xFFF4, "h4", products: [], pais: ["NOPE"])], actor: "alice", source: "dir")
        }
        #expect(try Snapshot(l) == before && l.vendor(vid: 0xFFF3) == nil)
    }

    @Test(arguments: Engine.all) func credentialsAddLookUpAndRevokeOnce(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        let token = CredentialRecord(id: "tok_1", kind: .token, role: .vendor, vid: 0xFFF1, label: "line 1", secretSHA256: "s1", createdAt: t)
        let station = CredentialRecord(id: "stn_1", kind: .station, role: .vendor, vid: 0xFFF1, label: "station", secretSHA256: "s2", createdAt: t.addingTimeInterval(1))
        let admin = CredentialRecord(id: "tok_2", kind: .token, role: .admin, vid: nil, label: "ops", secretSHA256: "s3", createdAt: t.addingTimeInterval(2))
        for c in [token, station, admin] { try l.addCredential(c, actor: "alice") }
        #expect(try l.credential(secretSHA256: "s2") == station && l.credential(secretSHA256: "s9") == nil)
        #expect(try l.credentials() == [token, station, admin])
        #expect(try l.auditEntries(action: "credential.create", limit: 1).first?.payload == #"{"id":"tok_2","kind":"token","label":"ops","role":"admin","vid":""}"#)
        var before = try Snapshot(l)
        #expect(throws: LedgerError.self) {
            try l.addCredential(CredentialRecord(id: "tok_3", kind: .token, role: .vendor, vid: 1, label: "dup", secretSHA256: "s1", createdAt: t), actor: "a")
        }
        #expect(try Snapshot(l) == before)
        #expect(try l.revokeCredential(id: "tok_1", actor: "alice"))
        #expect(try l.credential(secretSHA256: "s1")?.revokedAt != nil)
        before = try Snapshot(l)
        #expect(try !l.revokeCredential(id: "tok_1", actor: "alice"))
        #expect(try Snapshot(l) == before)
        #expect(throws: LedgerError.notFound("credential tok_9")) { try l.revokeCredential(id: "tok_9", actor: "alice") }
        #expect(try Snapshot(l) == before && l.verifyAudit().intact)
    }

    @Test(arguments: Engine.all) func auditEntriesHeadCheckpointsAndCounts(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        #expect(try l.auditHead() == AuditHead(seq: 0, hash: String(repeating: "0", count: 64)) && l.lastCheckpoint() == nil)
        #expect(try l.counts() == Dictionary(uniqueKeysWithValues: LedgerSchema.countedTables.map { ($0, 0) }))
        for i in 0..<6 { try l.audit(actor: "t\(i)", action: i % 2 == 0 ? "even" : "odd", payload: ["i": "\(i)", "quote": "\"x\""]) }
        let head = try l.auditHead()
        let all = try l.auditEntries(action: nil, limit: 100)
        #expect(all.map(\.seq) == Array(1...6) && all.last?.hash == head.hash && head.seq == 6)
        #expect(try l.auditEntries(action: nil, limit: 2).map(\.seq) == [5, 6])
        #expect(try l.auditEntries(action: "odd", limit: 2).map(\.actor) == ["t3", "t5"])
        #expect(try l.auditEntries(action: "none", limit: 2).isEmpty)
        #expect(all[0].payload == #"{"i":"0","quote":"\"x\""}"#)
        let key = P256.Signing.PrivateKey()
        try Make.checkpoint(l, key)
        try Make.checkpoint(l, key, at: "2026-01-02T00:00:00Z")   // the same entry again: the first stays
        let cp = try #require(try l.lastCheckpoint())
        #expect(cp.seq == 6 && cp.hash == head.hash && cp.at == "2026-01-01T00:00:00Z" && cp.keyID == "K")
        try l.audit(actor: "t", action: "later", payload: [:])
        try Make.checkpoint(l, key)
        let report = try l.verifyAudit(checkpointKey: key.publicKey)
        #expect(report.intact && report.entries == 7 && report.checkpoints == 2 && report.lastCheckpointSeq == 7 && report.checkpointSignaturesChecked)
        #expect(try l.counts()["audit_log"] == 7 && l.counts()["audit_checkpoints"] == 2 && l.counts()["certificates"] == 0)
        try l.ping()
    }
}

extension LedgerProtocolTests {
    /// A ceremony run is recorded whole (ceremony, each step's certificate and authority, the transcript's anchor) or
    /// not at all: a step that clashes leaves nothing of the others.
    @Test(arguments: Engine.all) func aCeremonyRunIsRecordedWholeOrNotAtAll(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger(clock: tickingClock())
        let t = Date(timeIntervalSince1970: 1_790_000_000)
        func step(_ skid: String, _ serial: String, type: String, parent: String?) -> CeremonyStepFacts {
            CeremonyStepFacts(action: type == "paa" ? "paa.create" : "pai.issue",
                              certificate: Make.certificate(serial: serial, sha: skid, issuer: parent ?? skid, vid: nil, type: type, at: t),
                              authority: Make.authority(skid, type: type, parent: parent), payload: ["name": skid])
        }
        let ceremony = CeremonyRecord(id: "C1", kind: "ceremony.run", actor: "alice", status: "completed", startedAt: t, completedAt: t,
                                      keySKID: "A1", certificateSHA256: nil, detail: "{}")
        try l.recordCeremony(ceremony, steps: [step("A1", "01", type: "paa", parent: nil), step("B2", "02", type: "pai", parent: "A1")],
                             transcriptSHA256: "abc")
        #expect(try l.authorities().map(\.skid) == ["A1", "B2"] && l.certificates().count == 2)
        #expect(try l.auditEntries(action: nil, limit: 10).map(\.action) == ["paa.create", "pai.issue", "ceremony.transcript"])
        #expect(try l.auditEntries(action: "ceremony.transcript", limit: 1).first?.payload.contains("\"transcriptSHA256\":\"abc\"") == true)
        #expect(try l.ceremonies().map(\.id) == ["C1"] && l.verifyAudit().intact)
        // A second run whose second step reuses an authority's SKID: refused whole.
        let before = (try l.counts(), try l.auditHead())
        var again = ceremony
        again.id = "C2"
        #expect(throws: (any Error).self) {
            try l.recordCeremony(again, steps: [step("D4", "04", type: "paa", parent: nil), step("B2", "05", type: "pai", parent: "D4")], transcriptSHA256: "def")
        }
        #expect(try l.counts() == before.0 && l.auditHead() == before.1)
    }
}

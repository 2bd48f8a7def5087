import Foundation
@testable import Ledger
import Testing
import TestSupport

/// `auditEntries(after:)` on every engine, and the cache of authorization facts that stands on it: kept through
/// issuance, dropped by any other audited change, made by this instance or by another one on the same storage.
@Suite struct LedgerFactsCacheTests {
    @Test(arguments: Engine.all) func auditEntriesTellIssuanceFromEveryOtherChange(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        let start = try l.auditEntries(after: nil)
        #expect(start.beyondIssuance)   // no mark yet: everything may have changed
        let c = try l.beginCeremony(kind: "pai.issue", actor: "t", detail: [:])
        try l.completeCeremony(c, certificate: Make.certificate(serial: "01", sha: "pai"), authority: Make.authority("AA"), payload: [:])
        let head = try #require(try l.auditEntries(after: nil).head)
        #expect(try l.auditEntries(after: head) == (head: head, beyondIssuance: false))
        #expect(try l.auditEntries(after: head - 1) == (head: head, beyondIssuance: true))
        #expect(try l.auditEntries(after: head + 5) == (head: head, beyondIssuance: true))   // a log that went back

        // Single DACs and a whole batch: new entries, nothing beyond issuance.
        try l.recordCertificates([CertificateGroup(certificates: [Make.certificate(serial: "D1", sha: "d1", issuer: "AA", type: "dac")],
                                                   actor: "t", action: "dac.issue", payload: [:])])
        try l.createBatch(Make.batch("B1", key: "k", count: 2), actor: "t")
        try l.commitChunk(Make.dacs(0..<2, batch: "B1", issuer: "AA"), batchID: "B1", actor: "t")
        try l.completeBatch("B1", actor: "t")
        let issued = try l.auditEntries(after: head)
        #expect(issued.beyondIssuance == false && (issued.head ?? 0) >= head + 4)

        // A revocation is beyond issuance.
        _ = try l.revoke([(issuerSKID: "AA", serial: "D1")], reason: "keyCompromise", actor: "t", payload: [:])
        let revoked = try l.auditEntries(after: try #require(issued.head))
        #expect(revoked.beyondIssuance && revoked.head! > issued.head!)
    }

    @Test(arguments: Engine.all) func keptThroughIssuanceDroppedByAnyOtherChangeFromAnyInstance(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        let other = try f.another(l)   // another process or server on the same ledger
        let c = try l.beginCeremony(kind: "pai.issue", actor: "t", detail: [:])
        try l.completeCeremony(c, certificate: Make.certificate(serial: "01", sha: "pai"), authority: Make.authority("AA"), payload: [:])
        let cache = LedgerFactsCache<String, Int>(ledger: l)
        var loads = 0
        func value() throws -> Int { try cache.value("k") { loads += 1; return loads } }

        #expect(try value() == 1)
        #expect(try value() == 1 && loads == 1)
        try other.recordCertificates([CertificateGroup(certificates: [Make.certificate(serial: "D1", sha: "d1", issuer: "AA", type: "dac")],
                                                       actor: "t", action: "dac.issue", payload: [:])])
        #expect(try value() == 1 && loads == 1)   // issuance changes no fact

        let vendor = VendorDefinition(vendor: VendorRecord(vid: 0xFFF1, name: "V", contact: nil, source: "v.yaml", definitionSHA256: "h", updatedAt: Date()),
                                      products: [0x8000...0x8000], paiSKIDs: ["AA"])
        _ = try other.importVendors([vendor], actor: "t", source: "dir")
        #expect(try value() == 2)   // the next answer after the import is read again
        #expect(try value() == 2)

        try other.addCredential(CredentialRecord(id: "tok_1", kind: .token, role: .vendor, vid: 0xFFF1, label: "l", secretSHA256: "s", createdAt: Date()), actor: "t")
        #expect(try value() == 3)
        #expect(try other.revokeCredential(id: "tok_1", actor: "t"))
        #expect(try value() == 4)
        _ = try other.revoke([(issuerSKID: "AA", serial: "D1")], reason: "keyCompromise", actor: "t", payload: [:])
        #expect(try value() == 5)
        #expect(try value() == 5 && loads == 5)
    }

    @Test func failedAndUnwantedLoadsAreNotKept() throws {
        let f = Fixture(.sqlite)
        let l = try f.ledger()
        let cache = LedgerFactsCache<String, Int>(ledger: l)
        struct Refused: Error {}
        #expect(throws: Refused.self) { try cache.value("k") { throw Refused() } }
        #expect(try cache.value("k") { 7 } == 7)
        #expect(try cache.value("k") { 8 } == 7)
        #expect(try cache.value("n", keep: { $0 > 0 }) { -1 } == -1)
        #expect(try cache.value("n", keep: { $0 > 0 }) { 3 } == 3)   // the refused value was not kept
        #expect(try cache.value("n") { 4 } == 3)
    }

    @Test func concurrentAnswersNeverOutliveAChange() async throws {
        // Readers race a writer that changes the fact (an audited credential write) and issues in between: once a
        // change is committed, no answer that starts afterwards may be older than it.
        let f = Fixture(.sqlite)
        let l = try f.ledger()
        let cache = LedgerFactsCache<String, Int>(ledger: l)
        let version = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<300 {
                        let committed = version.value
                        let got = try cache.value("k") { version.value }
                        #expect(got >= committed)
                    }
                }
            }
            group.addTask {
                for i in 1...30 {
                    try l.recordCertificates([CertificateGroup(certificates: [Make.certificate(serial: "D\(i)", sha: "d\(i)", issuer: "AA", type: "dac")],
                                                               actor: "t", action: "dac.issue", payload: [:])])
                    try l.addCredential(CredentialRecord(id: "tok_\(i)", kind: .token, role: .admin, vid: nil, label: "l", secretSHA256: "s\(i)", createdAt: Date()),
                                        actor: "t")
                    version.value = i   // after the commit
                }
            }
            try await group.waitForAll()
        }
    }
}

private final class Locked<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T {
        get { lock.withLock { v } }
        set { lock.withLock { v = newValue } }
    }
}

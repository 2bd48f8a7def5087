@testable import Authority
import Crypto
import Foundation
import Ledger
import MatterPKI
import Testing
import TestSupport
import X509Builder
@testable import matter_ca

/// Every front end — the CLI's ceremonies and batches, the batch API, the single-certificate path a REST or EST
/// route calls — signs through the one issue function: counted calls, not a reading of the code.
extension TokenSigningTests {
    /// Runs a CLI command in this process (the token is this process's), as `matter-ca` would.
    static func cli(_ home: TestHome, _ args: [String]) throws {
        setenv("MATTER_CA_PIN", home.pin, 1)   // the CLI wipes it after reading, as it should
        var command = try MatterCA.parseAsRoot(args + ["--home", home.path])
        try command.run()
    }

    @Test func everyFrontEndIssuesThroughTheOneIssueFunction() throws {
        let f = try #require(Self.fixture)
        let vendors = try CLI.tempDirectory("vendors")
        try "vid: FFF1\nname: Test vendor\nproducts: [\"8000\"]\npais: [\"Test PAI\"]\n".write(to: vendors.appendingPathComponent("fff1.yaml"), atomically: true, encoding: .utf8)
        try Self.cli(f.home, ["vendor", "import", vendors.path])
        let dacs = Authority.issued.count(.dac), pais = Authority.issued.count(.pai)

        try Self.cli(f.home, ["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "Test PAI", "--count", "3",
                              "--out", try CLI.tempDirectory("cli-batch").path])
        #expect(Authority.issued.count(.dac) == dacs + 3)
        try Self.cli(f.home, ["pai", "issue", "--paa", "Test PAA", "--vid", "FFF1", "--cn", "Counted PAI"])
        #expect(Authority.issued.count(.pai) == pais + 1)

        let a = f.authority
        _ = try a.issueBatch(DACBatchRequest(vendor: VendorID(0xFFF1), pid: ProductID(0x8000), pai: "Test PAI", source: .generated(count: 4),
                                             output: try CLI.tempDirectory("api-batch")))
        #expect(Authority.issued.count(.dac) == dacs + 7)

        let device = P256.Signing.PrivateKey().publicKey
        let single = try a.issue(IssueRequest(.dac(vendor: VendorID(0xFFF1), pid: ProductID(0x8000), pai: "Test PAI"), name: ""),
                                 publicKey: device, by: .vendor(VendorID(0xFFF1), credential: "test token"))
        #expect(Authority.issued.count(.dac) == dacs + 8)
        #expect(try a.ledger.certificates(matching: single.certificate.serialHex).count == 1, "in the ledger before it is returned")

        // The one authorization: a vendor's credential cannot ask for another vendor, nor for a CA.
        let before = (try a.ledger.counts(), try a.ledger.auditHead())
        #expect(throws: AuthorizationError.notPermitted(principal: "vendor FFF1 (test token)", request: "DACs for vendor FFF2")) {
            _ = try a.issue(IssueRequest(.dac(vendor: VendorID(0xFFF2), pid: ProductID(0x8000), pai: "Test PAI"), name: ""),
                            publicKey: device, by: .vendor(VendorID(0xFFF1), credential: "test token"))
        }
        #expect(throws: AuthorizationError.notPermitted(principal: "vendor FFF1 (test token)", request: "a PAI")) {
            _ = try a.issuePAI(paa: "Test PAA", vid: VendorID(0xFFF1), pid: nil, name: "X", by: .vendor(VendorID(0xFFF1), credential: "test token"))
        }
        #expect(try a.ledger.counts() == before.0 && a.ledger.auditHead() == before.1)
        #expect(Authority.issued.count(.dac) == dacs + 8 && Authority.issued.count(.pai) == pais + 1)
    }

    /// A ceremony whose files fail after the commit keeps its key: the PAI stays usable and `export` writes it.
    @Test func aCeremonyOutputFailureAfterTheCommitKeepsTheKey() throws {
        let f = try #require(Self.fixture)
        let a = f.authority
        a.faults.ceremonyOutput = true
        defer { a.faults.ceremonyOutput = false }
        let r = try a.issuePAI(paa: "Test PAA", vid: VendorID(0xFFF1), pid: nil, name: "Survivor PAI")
        #expect(r.filesNotWritten == "injected output fault" && r.files.isEmpty)
        #expect(try a.ledger.authority(skid: r.authority.skid) != nil)
        let signer = try a.signer(for: r.authority)   // the key is still on the token
        let vendors = try CLI.tempDirectory("vendors2")
        try "vid: FFF1\nname: Test vendor\nproducts: [\"8000\"]\npais: [\"Test PAI\", \"Survivor PAI\"]\n".write(to: vendors.appendingPathComponent("fff1.yaml"), atomically: true, encoding: .utf8)
        _ = try VendorRegistry.importDirectory(vendors, into: a.ledger, actor: "test", now: Date())
        let batch = try a.issueBatch(DACBatchRequest(vendor: VendorID(0xFFF1), pid: ProductID(0x8000), pai: "Survivor PAI", source: .generated(count: 2),
                                                     output: try CLI.tempDirectory("survivor")))
        #expect(batch.items.count == 2 && signer.keyID.count == 20)
        #expect(try a.ledger.verifyAudit().intact)
    }
}

extension TokenSigningTests {
    /// An idempotency key is bound to the template: the same request under a changed dac.yaml is another request.
    @Test func anIdempotencyKeyIsBoundToTheTemplate() throws {
        let f = try #require(Self.fixture)
        let templates = try CLI.tempDirectory("templates")
        for name in ["paa.yaml", "pai.yaml", "dac.yaml"] {
            try FileManager.default.copyItem(at: SharedVectors.packageRoot.appendingPathComponent("Templates/\(name)"), to: templates.appendingPathComponent(name))
        }
        let vendors = try CLI.tempDirectory("vendors3")
        try "vid: FFF1\nname: Test vendor\nproducts: [\"8000\"]\npais: [\"Test PAI\"]\n".write(to: vendors.appendingPathComponent("fff1.yaml"), atomically: true, encoding: .utf8)
        _ = try VendorRegistry.importDirectory(vendors, into: f.authority.ledger, actor: "test", now: Date())
        let request = DACBatchRequest(vendor: VendorID(0xFFF1), pid: ProductID(0x8000), pai: "Test PAI", source: .generated(count: 2),
                                      idempotencyKey: "bound-to-template", output: try CLI.tempDirectory("tpl"))
        let original = try Authority(home: AuthorityHome(root: f.home.root), pin: Array(f.home.pin.utf8), templatesDirectory: templates, sessions: 1)
        _ = try original.issueBatch(request)
        #expect(try original.issueBatch(request).reused)
        let dac = templates.appendingPathComponent("dac.yaml")
        try (try String(contentsOf: dac, encoding: .utf8)).replacingOccurrences(of: "backdate_seconds: 3600", with: "backdate_seconds: 7200")
            .write(to: dac, atomically: true, encoding: .utf8)
        let changed = try Authority(home: AuthorityHome(root: f.home.root), pin: Array(f.home.pin.utf8), templatesDirectory: templates, sessions: 1)
        #expect(changed.templates[.dac] != original.templates[.dac], "the edit must change the template")
        let before = try changed.ledger.counts()
        #expect(throws: BatchError.self) { _ = try changed.issueBatch(request) }
        #expect(try changed.ledger.counts() == before)
    }
}

extension TokenSigningTests {
    /// A vendor revokes its own DACs only; a PAI is the operator's.
    @Test func aVendorCannotRevokeAnotherVendorsCertificateOrAPAI() throws {
        let f = try #require(Self.fixture)
        let a = f.authority
        let vendors = try CLI.tempDirectory("vendors4")
        try "vid: FFF1\nname: Test vendor\nproducts: [\"8000\"]\npais: [\"Test PAI\"]\n".write(to: vendors.appendingPathComponent("fff1.yaml"), atomically: true, encoding: .utf8)
        _ = try VendorRegistry.importDirectory(vendors, into: a.ledger, actor: "test", now: Date())
        let dac = try a.issue(IssueRequest(.dac(vendor: VendorID(0xFFF1), pid: ProductID(0x8000), pai: "Test PAI"), name: ""),
                              publicKey: P256.Signing.PrivateKey().publicKey, by: .vendor(VendorID(0xFFF1), credential: "t"))
        let before = (try a.ledger.counts(), try a.ledger.auditHead())
        #expect(throws: AuthorizationError.notPermitted(principal: "vendor FFF2 (t)", request: "to revoke certificate \(dac.certificate.serialHex)")) {
            _ = try a.revoke(.serial(dac.certificate.serialHex), by: .vendor(VendorID(0xFFF2), credential: "t"))
        }
        #expect(throws: AuthorizationError.self) { _ = try a.revoke(.pai("Test PAI"), by: .vendor(VendorID(0xFFF1), credential: "t")) }
        #expect(try a.ledger.counts() == before.0 && a.ledger.auditHead() == before.1)
        #expect(try a.revoke(.serial(dac.certificate.serialHex), reason: "keyCompromise", by: .vendor(VendorID(0xFFF1), credential: "t")).revoked == 1)
        #expect(try a.ledger.verifyAudit().intact)
    }
}

extension TokenSigningTests {
    /// The server's form of the issue path keeps a DAC request's authorization facts between requests
    /// (`LedgerFactsCache`): a vendor import or a PAI revocation by another process (the CLI, on the same ledger) is
    /// still obeyed by the very next request, which is refused and records nothing.
    @Test func aKeptAuthorizationObeysTheNextChangeMadeElsewhere() async throws {
        let f = try #require(Self.fixture)
        try Self.cli(f.home, ["pai", "issue", "--paa", "Test PAA", "--vid", "FFF3", "--cn", "Kept PAI"])
        let vendors = try CLI.tempDirectory("vendors-kept")
        let yaml = vendors.appendingPathComponent("fff3.yaml")
        try "vid: FFF3\nname: Kept vendor\nproducts: [\"8000\", \"8001\"]\npais: [\"Kept PAI\"]\n".write(to: yaml, atomically: true, encoding: .utf8)
        try Self.cli(f.home, ["vendor", "import", vendors.path])
        let a = f.authority
        let vendor = Principal.vendor(VendorID(0xFFF3), credential: "kept test")
        func request(_ pid: UInt16) -> IssueRequest { IssueRequest(.dac(vendor: VendorID(0xFFF3), pid: ProductID(pid), pai: "Kept PAI"), name: "") }
        func enroll(_ pid: UInt16) async throws -> IssuedCertificate {
            try await a.commit(try a.signSingle(request(pid), publicKey: P256.Signing.PrivateKey().publicKey, by: vendor))
        }
        for _ in 0..<3 {   // the first reads the facts, the others use them
            let c = try await enroll(0x8001)
            #expect(try a.ledger.certificates(matching: c.certificate.serialHex).count == 1, "in the ledger before it is returned")
        }

        try "vid: FFF3\nname: Kept vendor\nproducts: [\"8000\"]\npais: [\"Kept PAI\"]\n".write(to: yaml, atomically: true, encoding: .utf8)
        try Self.cli(f.home, ["vendor", "import", vendors.path])
        var before = (try a.ledger.counts(), try a.ledger.auditHead())
        await #expect(throws: AuthorizationError.pidNotAllowedForVendor(ProductID(0x8001), VendorID(0xFFF3))) { _ = try await enroll(0x8001) }
        #expect(try a.ledger.counts() == before.0 && a.ledger.auditHead() == before.1)
        _ = try await enroll(0x8000)

        try Self.cli(f.home, ["revoke", "--pai", "Kept PAI", "--reason", "cACompromise"])
        before = (try a.ledger.counts(), try a.ledger.auditHead())
        let pai = try #require(try a.ledger.authorities(type: "pai").first { $0.name == "Kept PAI" })
        await #expect(throws: AuthorizationError.issuerRevoked("PAI \(pai.skid)")) { _ = try await enroll(0x8000) }
        #expect(throws: AuthorizationError.issuerRevoked("PAI \(pai.skid)")) {
            _ = try a.issue(request(0x8000), publicKey: P256.Signing.PrivateKey().publicKey, by: vendor)
        }
        #expect(try a.ledger.counts() == before.0 && a.ledger.auditHead() == before.1)
    }
}

extension TokenSigningTests {
    /// The server's commit: concurrent requests share transactions, each is answered only once its row is in the
    /// ledger, and a certificate at fault (here one committed twice: its serial is taken) fails alone and is signed
    /// again with a fresh serial, while the others of its group are recorded.
    @Test func concurrentCommitsAreAllRecordedAndAFaultyOneFailsAlone() async throws {
        let f = try #require(Self.fixture)
        try Self.cli(f.home, ["pai", "issue", "--paa", "Test PAA", "--vid", "FFF4", "--cn", "Commit PAI"])
        let vendors = try CLI.tempDirectory("vendors-commit")
        try "vid: FFF4\nname: Commit vendor\nproducts: [\"8000\"]\npais: [\"Commit PAI\"]\n"
            .write(to: vendors.appendingPathComponent("fff4.yaml"), atomically: true, encoding: .utf8)
        try Self.cli(f.home, ["vendor", "import", vendors.path])
        let a = f.authority
        let vendor = Principal.vendor(VendorID(0xFFF4), credential: "commit test")
        let request = IssueRequest(.dac(vendor: VendorID(0xFFF4), pid: ProductID(0x8000), pai: "Commit PAI"), name: "")
        let twice = try a.signSingle(request, publicKey: P256.Signing.PrivateKey().publicKey, by: vendor)
        let first = try await a.commit(twice)
        let issued = try await withThrowingTaskGroup(of: IssuedCertificate.self) { group in
            group.addTask { try await a.commit(twice) }
            for _ in 0..<31 {
                group.addTask { try await a.commit(try a.signSingle(request, publicKey: P256.Signing.PrivateKey().publicKey, by: vendor)) }
            }
            return try await group.reduce(into: [IssuedCertificate]()) { $0.append($1) }
        }
        #expect(issued.count == 32)
        let serials = Set(([first] + issued).map(\.certificate.serialHex))
        #expect(serials.count == 33, "the certificate committed twice was signed again with a fresh serial")
        for c in [first] + issued {
            let rows = try a.ledger.certificates(matching: c.certificate.serialHex)
            #expect(rows.count == 1 && rows[0].sha256.lowercased() == c.certificate.sha256.hexString.lowercased(), "\(c.certificate.serialHex)")
        }
        #expect(try a.ledger.verifyAudit(checkpointKey: nil).intact)
    }
}

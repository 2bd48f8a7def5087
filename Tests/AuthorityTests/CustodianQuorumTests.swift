import Foundation
import Testing
import TestSupport
@testable import Authority
@testable import Custody

/// `init --custodians 5 --quorum 3`: the PAA keys live on a root token whose PIN no one knows; every use of one
/// needs 3 custodians' shares. Driven through the CLI with a real SoftHSM2 token.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct CustodianQuorumTests {
    static func subsets(_ n: Int, _ k: Int) -> [[Int]] {
        guard k > 0 else { return [[]] }
        guard n >= k else { return [] }
        return subsets(n - 1, k - 1).map { $0 + [n - 1] } + subsets(n - 1, k)
    }

    @Test func everyQuorumOpensTheRootTokenAndNoSmallerSetDoes() throws {
        let c = try CustodyHome(custodians: 5, quorum: 3)
        // Without shares (no terminal to ask on): refused, named, nothing made.
        let before = try c.state()
        let none = try c.home.run(["paa", "create", "--cn", "No quorum"])
        #expect(none.status == 1 && none.stderr.contains("needs 3 of the 5 custodians' shares"), "\(none.output)")
        #expect(try c.state() == before)
        for pair in Self.subsets(5, 2) {
            let r = try c.home.run(["paa", "create", "--cn", "Two only"] + c.shareArguments(pair))
            #expect(r.status == 1 && r.stderr.contains("2 distinct shares given; this set needs 3"), "\(pair): \(r.output)")
        }
        #expect(try c.state() == before, "two shares never made anything")
        var made: [String] = []
        for (i, trio) in Self.subsets(5, 3).enumerated() {
            let r = try c.home.run(["paa", "create", "--cn", "Root \(i)", "--json"] + c.shareArguments(trio))
            #expect(r.status == 0, "\(trio): \(r.output)")
            let out = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            made.append(out?["skid"] as? String ?? "")
            // The transcript names the custodians present, by ID.
            let t = try JSONDecoder().decode(CeremonyTranscript.self, from: Data(contentsOf: URL(fileURLWithPath: out?["transcript"] as? String ?? "")))
            #expect(t.body.roles.custodians == trio.map { c.custodians[$0] })
        }
        #expect(Set(made).count == 10)
        // The PAA keys are on the root token, the checkpoint key on the operational one.
        let authorities = try c.home.json(["list", "paa"]) as! [[String: String]]
        #expect(authorities.count == 10)
        #expect(try c.tokenObjects().values.sorted() == [2, 20], "checkpoint key pair; ten PAA key pairs")
    }

    /// At the token itself: the PIN rebuilt from any 3 shares logs in; what 2 shares interpolate to does not.
    @Test func theRootTokenRefusesWhatFewerSharesInterpolateTo() throws {
        let c = try CustodyHome(custodians: 5, quorum: 3)
        let shares = try c.shares().map { try Share(encoded: $0) }
        func pin(_ points: [Share]) -> String {
            let material = Shamir.combine(points.map { ($0.x, $0.payload) })
            return String(decoding: RootSecret.pins(from: Array(material.prefix(RootSecret.length))).user, as: UTF8.self)
        }
        let good = try c.home.pkcs11Tool(["--token-label", "matter-ca-root", "--list-objects"], loginPIN: pin([shares[0], shares[2], shares[4]]))
        #expect(!good.contains("CKR_PIN_INCORRECT") && !good.contains("error"), "\(good)")
        for pair in Self.subsets(5, 2).prefix(3) {
            let bad = try c.home.pkcs11Tool(["--token-label", "matter-ca-root", "--list-objects"], loginPIN: pin(pair.map { shares[$0] }))
            #expect(bad.contains("CKR_PIN_INCORRECT"), "\(pair): \(bad)")
        }
    }

    @Test func aCorruptedDuplicatedOrForeignShareIsNamedAndChangesNothing() throws {
        let c = try CustodyHome(custodians: 5, quorum: 3)
        let before = try c.state()
        let dir = try CLI.tempDirectory("bad-shares")
        var text = try c.shares()[1]
        let i = text.index(text.startIndex, offsetBy: 60)
        text.replaceSubrange(i...i, with: text[i] == "a" ? "b" : "a")
        let corrupted = dir.appendingPathComponent("corrupted").path
        try text.write(toFile: corrupted, atomically: true, encoding: .utf8)
        var r = try c.home.run(["paa", "create", "--cn", "X", "--share", c.shareFiles[0], "--share", corrupted, "--share", c.shareFiles[2]])
        #expect(r.status == 1 && r.stderr.contains("Share #2 (x=2 as read) fails its check code"), "\(r.output)")
        r = try c.home.run(["paa", "create", "--cn", "X", "--share", c.shareFiles[3], "--share", c.shareFiles[1], "--share", c.shareFiles[3]])
        #expect(r.status == 1 && r.stderr.contains("Share #3 has x=4, like share #1"), "\(r.output)")
        let other = try CustodyHome(custodians: 3, quorum: 2)
        r = try c.home.run(["paa", "create", "--cn", "X", "--share", c.shareFiles[0], "--share", c.shareFiles[1], "--share", other.shareFiles[0]])
        #expect(r.status == 1 && r.stderr.contains("belong"), "\(r.output)")
        r = try c.home.run(["paa", "create", "--cn", "X"] + other.shareArguments([0, 1]))
        #expect(r.status == 1 && r.stderr.contains("the shares belong to set"), "\(r.output)")
        #expect(try c.state() == before)
    }

    @Test func initRefusesSharesKeptTogetherOrABadQuorumAndMakesNothing() throws {
        let home = try TestHome(initialise: false)
        let dir = try CLI.tempDirectory("together")
        let together = ["a", "b", "c"].flatMap { ["--share-file", dir.appendingPathComponent($0).path] }
        var r = try home.run(["init", "--custodians", "3", "--quorum", "2"] + together)
        #expect(r.status == 2 && r.stderr.contains("never together"), "\(r.output)")
        r = try home.run(["init", "--custodians", "3", "--quorum", "4"])
        #expect(r.status == 2 && r.stderr.contains("the quorum must be"), "\(r.output)")
        r = try home.run(["init", "--custodians", "3", "--quorum", "1"])
        #expect(r.status == 2, "\(r.output)")
        // No terminal and no files: nowhere to deliver the shares.
        r = try home.run(["init", "--custodians", "3", "--quorum", "2"])
        #expect(r.status == 2 && r.stderr.contains("no terminal to show the shares on"), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: home.root.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    /// A custody home still issues DACs and publishes PAI CRLs on the operational PIN alone; PAA CRLs need the quorum.
    @Test func operationalWorkNeedsNoQuorum() throws {
        let c = try CustodyHome(custodians: 3, quorum: 2)
        let paa = try c.home.json(["paa", "create", "--cn", "Root"] + c.shareArguments([0, 1])) as! [String: Any]
        let pai = try c.home.json(["pai", "issue", "--paa", paa["skid"] as! String, "--vid", "FFF1", "--cn", "Test PAI"] + c.shareArguments([1, 2])) as! [String: Any]
        let vendors = try CLI.tempDirectory("vendors")
        try "vid: FFF1\nname: Test vendor\nproducts: [\"8000\"]\npais: [\"Test PAI\"]\n".write(to: vendors.appendingPathComponent("fff1.yaml"), atomically: true, encoding: .utf8)
        #expect(try c.home.run(["vendor", "import", vendors.path]).status == 0)
        let out = try CLI.tempDirectory("dacs")
        let batch = try c.home.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", pai["skid"] as! String, "--count", "3", "--out", out.path])
        #expect(batch.status == 0, "\(batch.output)")
        // The PAA's CRL is signed by the PAA key: without shares, refused precisely and nothing recorded.
        let before = try c.state()
        let crl = try c.home.run(["crl", "publish"])
        #expect(crl.status == 1 && crl.stderr.contains("custodians' shares"), "\(crl.output)")
        #expect(try c.state() == before)
        #expect(try c.home.run(["crl", "publish"] + c.shareArguments([0, 2])).status == 0)
        let doctor = try c.home.run(["doctor"])
        #expect(doctor.stdout.contains("on the root token \"matter-ca-root\""), "\(doctor.output)")
    }
}

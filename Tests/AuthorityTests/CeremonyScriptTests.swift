import Foundation
import Testing
import TestSupport
@testable import Authority
import Custody
import Ledger

/// `ceremony run` from files (`--yes`, `--share`, `--admin-key`) and `ceremony verify`, on a custody home with a real
/// SoftHSM2 root token.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct CeremonyScriptTests {
    static let script = """
        ceremony: Utility root 2026
        roles:
          administrator: alice
          witness: carol
        steps:
          - make: paa
            name: Utility PAA 2026
            template: paa.yaml
          - make: pai
            name: Utility PAI FFF1
            paa: Utility PAA 2026
            vid: FFF1
            pid: 8000
          - make: crl-signer
            name: Utility PAA 2026 CRL signer
            ca: Utility PAA 2026

        """

    static func write(_ text: String, _ name: String = "ceremony.yaml") throws -> String {
        let url = try CLI.tempDirectory("script").appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func adminKey() throws -> String {
        let path = try CLI.tempDirectory("admin").appendingPathComponent("admin.pem").path
        #expect(try CLI.exec("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path]).status == 0)
        return path
    }

    /// Every secret of a custody home: the shares and the root PINs they rebuild.
    static func secrets(_ c: CustodyHome) throws -> [String] {
        let shares = try c.shares()
        var secret = try SecretSharing.combine(Array(shares.prefix(3)))
        defer { wipe(&secret) }
        let pins = RootSecret.pins(from: secret)
        return shares + [String(decoding: pins.user, as: UTF8.self), String(decoding: pins.so, as: UTF8.self), c.home.pin, c.home.soPIN]
    }

    /// No file of the home holds any of `secrets` (as bytes anywhere in it).
    static func expectNoSecretIn(_ root: URL, _ secrets: [String]) throws {
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
        var read = 0
        for f in files where (try? f.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let bytes = try Data(contentsOf: f)
            read += 1
            for s in secrets { #expect(bytes.range(of: Data(s.utf8)) == nil, "\(f.path) holds a secret") }
        }
        #expect(read > 5)
    }

    @Test func theWholeCeremonyRunsFromFilesAndItsTranscriptVerifies() throws {
        let c = try CustodyHome(custodians: 5, quorum: 3)
        let r = try c.home.run(["ceremony", "run", try Self.write(Self.script), "--yes", "--admin-key", try Self.adminKey(), "--json"]
                               + c.shareArguments([0, 2, 4]))
        #expect(r.status == 0, "\(r.output)")
        let out = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let made = out["made"] as! [[String: String]]
        #expect(made.map { $0["type"]! } == ["paa", "pai", "crl-signer"])
        #expect(r.stderr.contains("opened by custodians custodian-1, custodian-3, custodian-5"))
        let transcript = out["transcript"] as! String
        let v = try c.home.run(["ceremony", "verify", transcript])
        #expect(v.status == 0 && v.stdout.contains("holds") && v.stdout.contains("(administrator) verifies") && v.stdout.contains("(paa "), "\(v.output)")
        let t = try JSONDecoder().decode(CeremonyTranscript.self, from: Data(contentsOf: URL(fileURLWithPath: transcript)))
        #expect(t.body.steps.count == 3 && t.body.roles.administrator == "alice" && t.body.roles.witness == "carol")
        #expect(t.body.steps.allSatisfy { $0.key.attributes == ["CKA_SENSITIVE": true, "CKA_EXTRACTABLE": false] && $0.template.sha256.count == 64 })
        #expect(t.body.steps[0].key.token == "matter-ca-root" && t.body.steps[1].key.token == "matter-ca")
        #expect(t.body.tokens.map(\.label).sorted() == ["matter-ca", "matter-ca-root"] && t.body.tokens.allSatisfy { !$0.serial.isEmpty })
        #expect(t.body.matterCAVersion == Authority.version && t.body.scriptSHA256?.count == 64)
        // The anchor: the file's SHA-256 in the audit chain, in the same transaction as the certificates.
        let anchors = try c.home.json(["audit", "list", "--action", "ceremony.transcript"]) as! [[String: String]]
        #expect(anchors.count == 1 && anchors[0]["payload"]?.contains(out["transcriptSHA256"] as! String) == true)
        #expect(try c.home.run(["audit", "verify"]).status == 0)
        // No share, PIN or rebuilt secret in the output or in any file of the home.
        let secrets = try Self.secrets(c)
        for s in secrets { #expect(!r.output.contains(s) && !v.output.contains(s)) }
        try Self.expectNoSecretIn(c.home.root, secrets)
    }

    /// Changing any field of a transcript (each leaf, one at a time) is caught; a change in the body breaks the
    /// signatures too, not just the anchor.
    @Test func tamperingWithAnyFieldIsCaught() throws {
        let c = try CustodyHome(custodians: 3, quorum: 2)
        let r = try c.home.json(["ceremony", "run", try Self.write(Self.script), "--yes", "--admin-key", try Self.adminKey()] + c.shareArguments([0, 1])) as! [String: Any]
        let original = try Data(contentsOf: URL(fileURLWithPath: r["transcript"] as! String))
        let ledger = try AuthorityHome(root: c.home.root).openLedger()
        #expect(try TranscriptVerification.verify(original, ledger: ledger).holds)
        let tree = try JSONSerialization.jsonObject(with: original)
        var paths: [[Any]] = []
        func walk(_ node: Any, _ path: [Any]) {
            if let d = node as? [String: Any] { for (k, v) in d { walk(v, path + [k]) } }
            else if let a = node as? [Any] { for (i, v) in a.enumerated() { walk(v, path + [i]) } }
            else { paths.append(path) }
        }
        walk(tree, [])
        #expect(paths.count > 60, "\(paths.count) fields")
        func mutate(_ node: Any, _ path: ArraySlice<Any>) -> Any {
            guard let head = path.first else {
                if let s = node as? String { return s.isEmpty ? "x" : String(s.dropLast()) + (s.last == "A" ? "B" : "A") }
                if let n = node as? NSNumber { return NSNumber(value: n.intValue == 0 ? 1 : n.intValue == 1 ? 0 : n.intValue + 1) }   // booleans too
                return "x"
            }
            if var d = node as? [String: Any], let k = head as? String { d[k] = mutate(d[k]!, path.dropFirst()); return d }
            if var a = node as? [Any], let i = head as? Int { a[i] = mutate(a[i], path.dropFirst()); return a }
            return node
        }
        for path in paths {
            let changed = try JSONSerialization.data(withJSONObject: mutate(tree, path[...]), options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            let v = try TranscriptVerification.verify(changed, ledger: ledger)
            let name = path.map { "\($0)" }.joined(separator: ".")
            #expect(!v.holds, "changing \(name) went unnoticed")
            if name.hasPrefix("body.") && name != "body.ledger" {
                #expect(v.problems.contains { $0.contains("does not verify over the transcript's body") } || v.problems.contains { $0.contains("not a matter-ca ceremony transcript") },
                        "\(name): \(v.problems)")
            }
        }
        // The whole file re-encoded differently (same content) no longer matches its anchor: the file is the record.
        let reencoded = try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys])
        #expect(try TranscriptVerification.verify(reencoded, ledger: ledger).problems.contains { $0.contains("the file was altered") })
    }

    @Test func aTranscriptFromAnotherLedgerIsRefused() throws {
        let c = try CustodyHome(custodians: 3, quorum: 2)
        let r = try c.home.json(["ceremony", "run", try Self.write(Self.script), "--yes"] + c.shareArguments([1, 2])) as! [String: Any]
        let other = try TestHome()
        _ = try other.ceremonies()
        let v = try other.run(["ceremony", "verify", r["transcript"] as! String])
        #expect(v.status == 1 && v.stdout.contains("the transcript belongs to another ledger"), "\(v.output)")
        // A single-command ceremony's transcript verifies too, and is another ledger's elsewhere.
        let own = try FileManager.default.contentsOfDirectory(atPath: other.root.appendingPathComponent("ceremonies").path)
        #expect(own.count == 2 && own.allSatisfy { $0.hasSuffix(".json") })
        let single = other.root.appendingPathComponent("ceremonies").appendingPathComponent(own[0]).path
        #expect(try other.run(["ceremony", "verify", single]).status == 0)
        #expect(try c.home.run(["ceremony", "verify", single]).stdout.contains("belongs to another ledger"))
    }

    /// Rollover: a second PAA by ceremony beside the first, which stays as it was; PAIs under either.
    @Test func rolloverMakesASecondPAABesideTheFirst() throws {
        let c = try CustodyHome(custodians: 3, quorum: 2)
        let first = try c.home.json(["paa", "create", "--cn", "Utility PAA 2024"] + c.shareArguments([0, 1])) as! [String: Any]
        let before = try c.home.json(["show", first["skid"] as! String])
        let rollover = """
            ceremony: PAA rollover
            roles: { administrator: alice, witness: carol }
            steps:
              - { make: paa, name: Utility PAA 2026 }
              - { make: pai, name: PAI under 2026, paa: Utility PAA 2026, vid: FFF1 }
              - { make: pai, name: PAI under 2024, paa: Utility PAA 2024, vid: FFF1 }

            """
        let r = try c.home.run(["ceremony", "run", try Self.write(rollover), "--yes", "--json"] + c.shareArguments([0, 2]))
        #expect(r.status == 0, "\(r.output)")
        let paas = try c.home.json(["list", "paa"]) as! [[String: String]]
        #expect(paas.count == 2)
        #expect(NSDictionary(dictionary: try c.home.json(["show", first["skid"] as! String]) as! [String: Any]) == NSDictionary(dictionary: before as! [String: Any]))
        let pais = try c.home.json(["list", "pai"]) as! [[String: String]]
        #expect(Set(pais.map { $0["issuerSKID"] ?? "" }).count == 2, "\(pais)")
        // The first PAA's key still signs.
        #expect(try c.home.run(["pai", "issue", "--paa", first["skid"] as! String, "--vid", "FFF2", "--cn", "Later"] + c.shareArguments([1, 2])).status == 0)
        // The transcript is signed by the new PAA and by the first one, which signed a PAI in it.
        let t = try JSONDecoder().decode(CeremonyTranscript.self, from: Data(contentsOf: URL(fileURLWithPath: (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["transcript"] as! String)))
        #expect(Set(t.signatures.compactMap(\.keySKID)).contains(first["skid"] as! String) && t.signatures.count == 2)
    }

    /// The README's example script is one `ceremony run` reads, and it runs.
    @Test func theReadmeScriptRuns() throws {
        let readme = try String(contentsOf: SharedVectors.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Root ceremonies with custodians").dropFirst().first)
        let yaml = try #require(section.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let script = try CeremonyScript.parse(yaml)
        #expect(script.steps.count == 3 && script.custodians?.count == 5)
        let c = try CustodyHome(custodians: 5, quorum: 3)
        let renamed = yaml.replacingOccurrences(of: "[ann, bob, cy, dee, eve]", with: "[\(c.custodians.joined(separator: ", "))]")
        let r = try c.home.run(["ceremony", "run", try Self.write(renamed), "--yes"] + c.shareArguments([1, 3, 4]))
        #expect(r.status == 0, "\(r.output)")
    }

    /// What can be judged before the token is touched is refused with its line, and nothing is made.
    @Test func aScriptThatCannotRunIsRefusedBeforeAnythingIsMade() throws {
        let c = try CustodyHome(custodians: 3, quorum: 2)
        let before = try c.state()
        let cases: [(String, Int32, String)] = [
            ("ceremony: x\nroles: {administrator: a, witness: b}\nsteps:\n  - {make: pai, name: P, paa: Nowhere, vid: FFF1}\n", 1, "no PAA with SKID or name \"Nowhere\""),
            ("ceremony: x\nroles: {administrator: a, witness: b}\nsteps:\n  - {make: paa, name: P, template_sha256: \(String(repeating: "0", count: 64))}\n", 1, "the script pins"),
            ("ceremony: x\nroles: {administrator: a, witness: b}\nsteps:\n  - {make: paa, name: P, template: dac.yaml}\n", 1, "names template dac.yaml"),
            ("ceremony: x\nroles: {administrator: a, witness: a}\nsteps:\n  - {make: paa, name: P}\n", 2, "line 2: the witness must be another person"),
            ("ceremony: x\nroles: {administrator: a, witness: b}\nsteps:\n  - {make: dac, name: P}\n", 2, "line 4: \"make: dac\" is not one of"),
            ("ceremony: x\nroles: {administrator: a, witness: b}\nsteps:\n  - {make: paa, name: P, colour: red}\n", 2, "\"colour\" is not a field of a paa step"),
            ("ceremony: x\nroles: {administrator: a, witness: b}\nsteps:\n  - {make: pai, name: P, paa: Q, vid: XYZ}\n", 2, "\"vid\" must be a 16-bit hex value"),
        ]
        for (text, status, message) in cases {
            let r = try c.home.run(["ceremony", "run", try Self.write(text), "--yes"] + c.shareArguments([0, 1]))
            #expect(r.status == status && r.stderr.contains(message), "\(message): \(r.output)")
        }
        // Custodians outside the script's list may not open the root token for it.
        let restricted = "ceremony: x\nroles: {administrator: a, witness: b, custodians: [custodian-1, custodian-2]}\nsteps:\n  - {make: paa, name: P}\n"
        let r = try c.home.run(["ceremony", "run", try Self.write(restricted), "--yes"] + c.shareArguments([0, 2]))
        #expect(r.status == 1 && r.stderr.contains("custodian custodian-3 gave a share but is not one of the script's custodians"), "\(r.output)")
        #expect(try c.state() == before)
    }
}

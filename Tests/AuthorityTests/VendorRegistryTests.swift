import Foundation
import Testing
import TestSupport

/// VendorRegistry/ → ledger: the examples import, re-import changes nothing, and every malformed or conflicting
/// folder is refused with file and line and imports nothing.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct VendorRegistryTests {
    /// A home with the PAIs the example files name.
    static func home(ledgerURL: String? = nil) throws -> TestHome {
        let h = try TestHome(ledgerURL: ledgerURL)
        let paa = (try h.json(["paa", "create", "--cn", "Root"]) as! [String: Any])["skid"] as! String
        for vid in ["FFF1", "FFF2"] {
            _ = try h.json(["pai", "issue", "--paa", paa, "--vid", vid, "--cn", "\(vid) PAI"])
        }
        return h
    }

    static var examples: URL { SharedVectors.packageRoot.appendingPathComponent("VendorRegistry") }

    @Test func examplesImportOnceAndIdempotently() throws {
        let h = try Self.home()
        let first = try h.json(["vendor", "import", Self.examples.path]) as! [String: String]
        #expect(first == ["FFF1": "added", "FFF2": "added"])
        let state = try h.ledgerState()
        let again = try h.json(["vendor", "import", Self.examples.path]) as! [String: String]
        #expect(again == ["FFF1": "unchanged", "FFF2": "unchanged"])
        #expect(try h.ledgerState() == state, "an unchanged import writes nothing, not even an audit entry")
        let list = try h.json(["vendor", "list"]) as! [[String: Any]]
        #expect(list.count == 2 && (list[0]["products"] as! [String]) == ["8000", "8001-800F"])
    }

    static let broken: [(String, [String: String], String)] = [
        ("two vendors claim one VID", ["a.yaml": "vid: FFF1\nname: A\nproducts: [\"8000\"]\npais: [\"FFF1 PAI\"]\n",
                                       "b.yaml": "vid: FFF1\nname: B\nproducts: [\"8001\"]\npais: [\"FFF1 PAI\"]\n"], "b.yaml:1: VID FFF1 is already claimed by"),
        ("PID 0000", ["a.yaml": "vid: FFF1\nname: A\nproducts:\n  - \"0000\"\npais: [\"FFF1 PAI\"]\n"], "a.yaml:4: PID 0x0000 is outside 0x0001–0xFFFF"),
        ("PID 10000", ["a.yaml": "vid: FFF1\nname: A\nproducts:\n  - \"8000-10000\"\npais: [\"FFF1 PAI\"]\n"], "a.yaml:4: PID 0x10000 is outside 0x0001–0xFFFF"),
        ("unknown PAI", ["a.yaml": "vid: FFF1\nname: A\nproducts: [\"8000\"]\npais:\n  - \"No Such PAI\"\n"], "a.yaml:5: unknown PAI \"No Such PAI\""),
        ("PAI of another vendor", ["a.yaml": "vid: FFF1\nname: A\nproducts: [\"8000\"]\npais:\n  - \"FFF2 PAI\"\n"], "a.yaml:5: PAI \"FFF2 PAI\" carries VID FFF2, not FFF1"),
        ("bad VID", ["a.yaml": "vid: FFF\nname: A\nproducts: [\"8000\"]\npais: [\"FFF1 PAI\"]\n"], "a.yaml:1: vid \"FFF\" is not 4 hex digits"),
        ("signed VID", ["a.yaml": "vid: \"+FF1\"\nname: A\nproducts: [\"8000\"]\npais: [\"FFF1 PAI\"]\n"], "a.yaml:1: vid \"+FF1\" is not 4 hex digits"),
        ("signed PID", ["a.yaml": "vid: FFF1\nname: A\nproducts: [\"+800\"]\npais: [\"FFF1 PAI\"]\n"], "a.yaml:3: \"+800\" is not a hex PID"),
        ("unknown key", ["a.yaml": "vid: FFF1\nname: A\nprodcts: [\"8000\"]\n"], "a.yaml:3: unknown key \"prodcts\""),
        ("range backwards", ["a.yaml": "vid: FFF1\nname: A\nproducts: [\"8005-8001\"]\npais: [\"FFF1 PAI\"]\n"], "a.yaml:3: range 8005-8001 runs backwards"),
        ("not YAML", ["a.yaml": "vid: [FFF1\n"], "a.yaml:2: not valid YAML"),
    ]

    @Test func brokenRegistriesAreRefusedAndImportNothing() throws {
        let h = try Self.home()
        let good = try CLI.tempDirectory("registry-good")
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("fff2-example.yaml"), to: good.appendingPathComponent("fff2.yaml"))
        for (name, files, message) in Self.broken {
            let dir = try CLI.tempDirectory("registry")
            // A valid vendor beside the broken one: it must not be imported either.
            try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("fff2-example.yaml"), to: dir.appendingPathComponent("fff2.yaml"))
            for (f, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(f)) }
            let before = try h.ledgerState()
            let r = try h.run(["vendor", "import", dir.path])
            #expect(r.status == 1, "\(name): \(r.output)")
            #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
            #expect(r.stderr.contains("nothing imported"))
            #expect(try h.ledgerState() == before, "\(name) changed the ledger")
        }
        #expect(try h.run(["vendor", "import", good.path]).status == 0)
    }
}

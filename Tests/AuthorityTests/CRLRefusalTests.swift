import Foundation
import Testing
import TestSupport

/// Every refusal of the CRL commands is precise and changes nothing in the ledger.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct CRLRefusalTests {
    @Test func badTemplatesAndMissingInputsAreRefusedAndChangeNothing() throws {
        let h = try DACBatchTests.home()
        let before = try h.ledgerState()
        let notYet = try h.run(["crl", "revocation-set"])
        #expect(notYet.status == 1 && notYet.stderr.contains("no CRL has been published yet"), "\(notYet.output)")
        let dir = try CLI.tempDirectory("crl-bad-templates")
        for (yaml, message) in [
            ("type: crl\nbase_url: \"ftp://crl.example\"\n", "crl.yaml:2: base_url \"ftp://crl.example\" must be an http:// or https:// URL"),
            ("type: crl\nbase_url: \"https://\(String(repeating: "a", count: 200)).example\"\n", "the DCL and ESP take 255"),
            ("type: crl\npartition_size: -1\n", "crl.yaml:2: partition_size -1 must be 0"),
            ("type: crl\nnext_update: { days: 0 }\n", "crl.yaml:2: next_update of 0 days must be 1…3650"),
            ("type: crl\ndelta: true\n", "crl.yaml:2: unknown key \"delta\""),
            ("type: pai\n", "crl.yaml:1: type \"pai\" does not match the file crl.yaml"),
            ("next_update: { days: 3 }\n", "missing key \"type\""),
        ] {
            try yaml.write(to: dir.appendingPathComponent("crl.yaml"), atomically: true, encoding: .utf8)
            let r = try h.run(["crl", "publish", "--templates", dir.path])
            #expect(r.status == 2 && r.stderr.contains(message), "\(yaml): \(r.output)")
        }
        let noCA = try h.run(["crl", "signer", "create", "--ca", "No Such CA", "--cn", "x"])
        #expect(noCA.status == 1 && noCA.stderr.contains("no PAA OR PAI with SKID or name \"No Such CA\""), "\(noCA.output)")
        let onlyCA = try h.run(["crl", "publish", "--ca", "No Such CA"])
        #expect(onlyCA.status == 1 && onlyCA.stderr.contains("no PAA or PAI \"No Such CA\""), "\(onlyCA.output)")
        let badVID = try h.run(["crl", "dcl-metadata", "--paa-vid", "GGGG"])
        #expect(badVID.status == 2 && badVID.stderr.contains("--paa-vid GGGG is not a 16-bit hex value"), "\(badVID.output)")
        let badLimit = try h.run(["audit", "list", "--limit", "0"])
        #expect(badLimit.status == 2 && badLimit.stderr.contains("--limit must be positive"), "\(badLimit.output)")
        #expect(try h.ledgerState() == before)
    }

    @Test func tamperedFilesAPAAWithoutVIDAndOversizedCRLsAreNamed() throws {
        let h = try DACBatchTests.home()
        let serials = try RevocationTests.batch(h, count: 40, key: "big")
        #expect(try h.run(["revoke", "--batch", "big"]).status == 0)
        // doctor says a revocation is in no CRL yet, until the next publication.
        func crlCheck() throws -> [String: Any]? {
            let d = try h.run(["doctor", "--json"])
            return (try JSONSerialization.jsonObject(with: Data(d.stdout.utf8)) as? [[String: Any]])?.first { $0["name"] as? String == "crls" }
        }
        let unpublished = try crlCheck()
        #expect(unpublished?["ok"] as? Bool == false && (unpublished?["detail"] as? String)?.contains("in no CRL yet") == true, "\(String(describing: unpublished))")
        let published = try h.run(["crl", "publish", "--json"])
        #expect(published.status == 0, "\(published.output)")
        #expect(published.stderr.contains("the ESP on-device checker ignores CRLs over 1200 bytes"), "\(published.stderr)")
        #expect(try crlCheck()?["ok"] as? Bool == true)
        let crls = try JSONSerialization.jsonObject(with: Data(published.stdout.utf8)) as! [[String: Any]]
        let big = try #require(crls.first { $0["entries"] as? Int == serials.count })
        #expect((big["size"] as! Int) > 1200)

        // The PAA of this home carries no VID: the point needs one from the operator.
        let noVID = try h.run(["crl", "dcl-metadata"])
        #expect(noVID.status == 1 && noVID.stderr.contains("carries no VID: give --paa-vid"), "\(noVID.output)")
        #expect(try h.run(["crl", "dcl-metadata", "--paa-vid", "FFF1"]).status == 0)

        // A CRL file changed after publication is not what the ledger recorded: no set is built from it.
        let file = URL(fileURLWithPath: big["file"] as! String)
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 3] ^= 0x01
        try bytes.write(to: file)
        let before = try h.ledgerState()
        let tampered = try h.run(["crl", "revocation-set"])
        #expect(tampered.status == 1 && tampered.stderr.contains("is not the CRL the ledger recorded"), "\(tampered.output)")
        #expect(try h.ledgerState() == before)
        // Publishing again replaces it, with the next number.
        #expect(try h.run(["crl", "publish"]).status == 0)
        #expect(try h.run(["crl", "revocation-set"]).status == 0)
    }
}

import Foundation
import Testing
import TestSupport

/// `list` streams the ledger in recording order and pages with `--limit` / `--after` (a cursor from the previous
/// page): following the cursors yields every row once, in the order of the unpaged listing.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct ListPaginationTests {
    @Test func pagesCoverTheListingOnceInOrder() throws {
        let h = try DACBatchTests.home()
        let serials = try RevocationTests.batch(h, count: 5, key: "pages")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: h.root.appendingPathComponent("out-pages/manifest.json"))) as! [String: Any]
        let batchID = manifest["batch"] as! String
        let all = (try h.json(["list", "dac"]) as! [[String: Any]]).map { $0["serial"] as! String }
        #expect(all == serials, "the unpaged listing is in recording order")
        var paged: [String] = [], after: String?, pages = 0
        repeat {
            let page = try h.json(["list", "dac", "--limit", "2"] + (after.map { ["--after", $0] } ?? [])) as! [String: Any]
            paged += (page["certificates"] as! [[String: Any]]).map { $0["serial"] as! String }
            after = page["next"] as? String
            pages += 1
        } while after != nil && pages < 10
        #expect(paged == all && pages == 3, "\(pages) pages: \(paged)")
        let filtered = try h.json(["list", "dac", "--batch", batchID, "--limit", "10"]) as! [String: Any]
        #expect((filtered["certificates"] as! [[String: Any]]).count == 5 && filtered["next"] is NSNull)
        let text = try h.run(["list", "--limit", "1"])
        #expect(text.status == 0 && text.stdout.contains("more: --after "), "\(text.output)")
        for bad in [["list", "--limit", "0"], ["list", "--after", "-1"]] {
            let r = try h.run(bad)
            #expect(r.status == 2, "\(bad): \(r.output)")
        }
    }
}

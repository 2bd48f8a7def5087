import Foundation
import Testing
import TestSupport

/// Revocation over REST (the vendor that owns the DACs; an administrator for a PAI) and CRL distribution at the
/// URLs `crl publish` prints; refusals are precise problems that change nothing.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct RevocationRouteTests {
    @Test func vendorsRevokeTheirOwnAndCRLsAreServed() throws {
        let f = try ServerFixture()
        let out = f.home.root.appendingPathComponent("out-rest")
        let batch = try f.home.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", "3", "--out", out.path, "--idempotency-key", "rest-1"])
        #expect(batch.status == 0, "\(batch.output)")
        let serials = try DACBatchTestsSupport.serials(out)
        let json = Data(#"{"reason":"keyCompromise"}"#.utf8)

        // Another vendor, an unknown serial, a bad reason, no credential: refused, nothing changes.
        let before = try f.home.ledgerState()
        let other = try f.server.curl("/v1/certificates/\(serials[0])/revoke", method: "POST", token: f.fff2.secret, contentType: "application/json", body: json)
        #expect(other.status == 403 && other.body.contains("notPermitted"), "\(other)")
        let unknown = try f.server.curl("/v1/certificates/7F0000000000000000000001/revoke", method: "POST", token: f.fff1.secret)
        #expect(unknown.status == 404 && unknown.body.contains("unknownCertificate"), "\(unknown)")
        let reason = try f.server.curl("/v1/certificates/\(serials[0])/revoke", method: "POST", token: f.fff1.secret, contentType: "application/json",
                                       body: Data(#"{"reason":"certificateHold"}"#.utf8))
        #expect(reason.status == 400 && reason.body.contains("unknownReason"), "\(reason)")
        let extra = try f.server.curl("/v1/certificates/\(serials[0])/revoke", method: "POST", token: f.fff1.secret, contentType: "application/json",
                                      body: Data(#"{"reason":"keyCompromise","force":true}"#.utf8))
        #expect(extra.status == 400 && extra.body.contains("unknown member"), "\(extra)")
        let anonymous = try f.server.curl("/v1/certificates/\(serials[0])/revoke", method: "POST")
        #expect(anonymous.status == 401, "\(anonymous)")
        let vendorPAI = try f.server.curl("/v1/cas/\(try paiSKID(f))/revoke", method: "POST", token: f.fff1.secret)
        #expect(vendorPAI.status == 403, "\(vendorPAI)")
        let unknownBatch = try f.server.curl("/v1/batches/no-such-batch/revoke", method: "POST", token: f.fff1.secret)
        #expect(unknownBatch.status == 404 && unknownBatch.body.contains("unknownBatch"), "\(unknownBatch)")
        #expect(try f.home.ledgerState() == before)

        // The owner revokes one DAC, then the whole batch (one already revoked: said so).
        let one = try f.server.curl("/v1/certificates/\(serials[0])/revoke", method: "POST", token: f.fff1.secret, contentType: "application/json", body: json)
        #expect(one.status == 200 && one.body.contains("\"revoked\":1"), "\(one)")
        let again = try f.server.curl("/v1/certificates/\(serials[0])/revoke", method: "POST", token: f.fff1.secret)
        #expect(again.status == 200 && again.body.contains("\"alreadyRevoked\":1") && again.body.contains("\"revoked\":0"), "\(again)")
        let all = try f.server.curl("/v1/batches/rest-1/revoke", method: "POST", token: f.fff1.secret)
        #expect(all.status == 200 && all.body.contains("\"revoked\":2") && all.body.contains("\"alreadyRevoked\":1"), "\(all)")

        // Published CRLs at stable URLs, byte for byte, as application/pkix-crl; anything else is a 404.
        let published = try f.home.json(["crl", "publish"]) as! [[String: Any]]
        for c in published {
            let name = URL(fileURLWithPath: c["file"] as! String).lastPathComponent
            let dir = try CLI.tempDirectory("crl-get")
            let got = try CLI.exec("curl", ["-sS", "--cacert", f.server.caPEM, "-o", dir.appendingPathComponent("c").path, "-w", "%{http_code} %{content_type}",
                                            f.server.url + "/crl/\(name)"])
            #expect(got.stdout == "200 application/pkix-crl", "\(got.output)")
            #expect(try Data(contentsOf: dir.appendingPathComponent("c")) == Data(contentsOf: URL(fileURLWithPath: c["file"] as! String)))
        }
        #expect(try f.server.curl("/crl/\(String(repeating: "A", count: 40)).crl").status == 404)
        #expect(try f.server.curl("/crl/..%2Fledger.sqlite").status == 404)

        // An administrator revokes the PAI, with its DACs.
        let pai = try f.server.curl("/v1/cas/\(try paiSKID(f))/revoke", method: "POST", token: f.admin.secret, contentType: "application/json", body: json)
        #expect(pai.status == 200 && pai.body.contains("\"revoked\":1"), "\(pai)")
        #expect(try f.home.run(["audit", "verify"]).status == 0)
    }

    func paiSKID(_ f: ServerFixture) throws -> String {
        let all = try f.home.json(["list", "pai"]) as! [[String: Any]]
        return try #require(all.first { ($0["subject"] as? String)?.contains("FFF1 PAI") == true }?["skid"] as? String)
    }
}

enum DACBatchTestsSupport {
    static func serials(_ dir: URL) throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("manifest.json"))) as! [String: Any]
        return (json["items"] as! [[String: Any]]).map { $0["serial"] as! String }
    }
}

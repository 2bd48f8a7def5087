import Foundation
import Testing
import TestSupport

/// Bad input to every POST route: a precise 4xx problem, the ledger unchanged, the server still serving.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct BadInputTests {
    static func badCSRs(in dir: URL) throws -> [(String, Data, String)] {
        var tampered = try ServerFixture.csr(in: dir, name: "t").der
        tampered[tampered.count - 1] ^= 0x01
        return [
            ("bad signature", tampered, "the CSR's signature does not verify"),
            ("P-384", try ServerFixture.csr(in: dir, name: "p384", curve: "secp384r1").der, "the key is not P-256 (P-384)"),
            ("RSA", try ServerFixture.csr(in: dir, name: "rsa", rsa: true).der, "the key is not P-256 (RSA)"),
        ]
    }

    @Test func everyPOSTRouteRefusesBadInputPrecisely() throws {
        let f = try ServerFixture(arguments: ["--max-body", "4096"])
        let dir = try CLI.tempDirectory("bad")
        let token = f.fff1.secret
        let before = try f.home.ledgerState()
        var cases: [(route: String, type: String?, body: Data, status: Int, reason: String)] = []
        for route in ["/.well-known/est/FFF1-8000/simpleenroll", "/.well-known/est/FFF1-8000/serverkeygen"] {
            cases.append((route, "application/pkcs10", Data(), 400, "the body is empty"))
            cases.append((route, "application/pkcs10", Data("%%% not base64 %%%".utf8), 400, "the body is not base64"))
            cases.append((route, "application/json", Data("{}".utf8), 415, "Content-Type \\\"application/json\\\" is not accepted here"))
            cases.append((route, "application/pkcs10", Data(repeating: 0x41, count: 8192), 413, "exceeds 4096 bytes"))
        }
        for (name, der, reason) in try Self.badCSRs(in: dir) {
            cases.append(("/.well-known/est/FFF1-8000/simpleenroll", "application/pkcs10", ServerFixture.base64(der), 400, reason))
            if name == "bad signature" {
                cases.append(("/.well-known/est/FFF1-8000/serverkeygen", "application/pkcs10", ServerFixture.base64(der), 400, reason))
            }
            let batch = try JSONSerialization.data(withJSONObject: ["vendor": "FFF1", "pid": "8000", "pai": "FFF1 PAI", "csrs": [der.base64EncodedString()]])
            cases.append(("/v1/batches", "application/json", batch, 400, reason))
        }
        cases += [
            ("/v1/batches", "application/json", Data(), 400, "the body is not a batch request"),
            ("/v1/batches", "application/json", Data("{not json".utf8), 400, "malformed JSON"),
            ("/v1/batches", "text/plain", Data("{}".utf8), 415, "is not accepted here"),
            ("/v1/batches", "application/json", Data(#"{"vendor":"FFF1","pid":"8000","pai":"FFF1 PAI","csrs":["@@@"]}"#.utf8), 400, "csrs[0] is not base64"),
            ("/v1/batches", "application/json", Data(#"{"vendor":"FFF1","pid":"8000","pai":"FFF1 PAI"}"#.utf8), 400, "give exactly one of count"),
            ("/v1/batches", "application/json", Data(#"{"vendor":"+FF1","pid":"8000","pai":"FFF1 PAI","count":1}"#.utf8), 400, "is not a 16-bit hex VID"),
            ("/v1/batches", "application/json", Data(repeating: 0x20, count: 8192), 413, "exceeds 4096 bytes"),
            ("/v1/verify", "application/json", Data(), 400, "the body is not a verification request"),
            ("/v1/verify", "application/json", Data(#"{"dac":"x"}"#.utf8), 400, "missing field"),
            ("/v1/verify", "text/plain", Data("{}".utf8), 415, "is not accepted here"),
            ("/v1/verify", "application/json", Data(repeating: 0x20, count: 8192), 413, "exceeds 4096 bytes"),
        ]
        for c in cases {
            let r = try f.server.curl(c.route, method: "POST", token: token, contentType: c.type, body: c.body)
            #expect(r.status == c.status && r.body.contains(c.reason), "\(c.route) [\(c.reason)]: \(r.status) \(r.body)")
            #expect(r.headers.lowercased().contains("application/problem+json"), "\(c.route): \(r.headers)")
            #expect(!r.body.contains("/work/") && !r.body.contains(".swift"), "no internal paths: \(r.body)")
        }
        // No route: a problem body too, not a bare 404.
        let none = try f.server.curl("/v2/nothing", method: "GET", token: token)
        #expect(none.status == 404 && none.body.contains("no route GET /v2/nothing") && none.headers.lowercased().contains("application/problem+json"), "\(none)")
        #expect(try f.home.ledgerState() == before)
        #expect(try f.server.curl("/healthz").status == 200, "still serving")
    }
}

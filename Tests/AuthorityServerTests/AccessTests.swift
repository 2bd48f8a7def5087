import Foundation
import Testing
import TestSupport

/// Who may do what over the network: 401 without or with a bad credential, 403 when authenticated but not allowed,
/// and nothing recorded either way.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct AccessTests {
    @Test func theAuthorizationMatrixHolds() throws {
        let f = try ServerFixture()
        let dir = try CLI.tempDirectory("matrix")
        let body = ServerFixture.base64(try ServerFixture.csr(in: dir).der)
        func enroll(_ label: String, token: String?) throws -> (status: Int, body: String, headers: String) {
            try f.server.curl("/.well-known/est/\(label)/simpleenroll", method: "POST", token: token, contentType: "application/pkcs10", body: body)
        }
        let before = try f.home.ledgerState()
        let cases: [(String, String?, Int, String)] = [
            ("FFF2-8100", f.fff1.secret, 403, "notPermitted: vendor FFF1"),          // another vendor's label
            ("FFF1-9000", f.fff1.secret, 403, "pidNotAllowedForVendor"),              // an unregistered PID
            ("FFF1-8000", nil, 401, "no credentials"),
            ("FFF1-8000", "mca_not-a-token", 401, "unknown token"),
        ]
        for (label, token, status, reason) in cases {
            let r = try enroll(label, token: token)
            #expect(r.status == status && r.body.contains(reason), "\(label): \(r.status) \(r.body)")
            #expect(r.headers.lowercased().contains("content-type: application/problem+json"), "\(label): \(r.headers)")
            let problem = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
            #expect(problem?["status"] as? Int == status && (problem?["type"] as? String)?.isEmpty == false && problem?["title"] != nil)
        }
        // A revoked token is refused from then on, also when the server accepted it a moment before (it keeps
        // accepted tokens while the audit log shows no credential change).
        let accepted = try f.server.curl("/v1/certificates/0A0B0C", token: f.fff2.secret)
        #expect(accepted.status == 404, "\(accepted.body)")
        #expect(try f.home.run(["vendor", "token", "revoke", f.fff2.id]).status == 0)
        let revoked = try enroll("FFF2-8100", token: f.fff2.secret)
        #expect(revoked.status == 401 && revoked.body.contains("is revoked"), "\(revoked.body)")
        // An administrator route with a vendor token.
        let vendors = try f.server.curl("/v1/vendors", token: f.fff1.secret)
        #expect(vendors.status == 403 && vendors.body.contains("may not use an administrator route"))
        #expect(try f.server.curl("/v1/vendors", token: f.admin.secret).status == 200)
        // Nothing was recorded by any refusal (the revocation itself is recorded: compare the certificate rows).
        let after = try f.home.ledgerState()
        #expect(after.split(separator: "|")[1] == before.split(separator: "|")[1], "no certificate row was added")
        #expect(try f.home.run(["audit", "verify"]).status == 0)
        // A vendor sees its own certificates only.
        let mine = try enroll("FFF1-8000", token: f.fff1.secret)
        #expect(mine.status == 200)
        let serial = try CertificateSerial.of(pkcs7: mine.body, in: dir)
        #expect(try f.server.curl("/v1/certificates/\(serial)", token: f.fff1.secret).status == 200)
        let other = try f.home.token(vendor: "FFF2", label: "second")
        #expect(try f.server.curl("/v1/certificates/\(serial)", token: other.secret).status == 403)
    }
}

enum CertificateSerial {
    static func of(pkcs7 body: String, in dir: URL) throws -> String {
        let pem = try ServerFixture.certificates(fromPKCS7: body, in: dir)
        let file = dir.appendingPathComponent("s-\(UUID().uuidString).pem")
        try pem.write(to: file, atomically: true, encoding: .utf8)
        return try CLI.exec("openssl", ["x509", "-in", file.path, "-noout", "-serial"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "serial=", with: "")
    }
}

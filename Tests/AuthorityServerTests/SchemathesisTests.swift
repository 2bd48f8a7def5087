import Foundation
import Testing
import TestSupport

/// schemathesis (PyPI, installed by scripts/test into .venv-tools/st) drives the running server from the OpenAPI
/// document: no 5xx on any generated input, every response as documented. One check is left out: "schema-valid
/// request accepted" cannot hold where validity is a DER signature no schema can express (a random base64 string is
/// schema-valid but not a PKCS#10 request). One worker: with two, hypothesis's lambda descriptions (an AST parse) crash
/// now and then inside schemathesis itself ("AST constructor recursion depth mismatch"), a tool error, not a server one.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct SchemathesisTests {
    static let tool = SharedVectors.packageRoot.appendingPathComponent(".venv-tools/st/bin/schemathesis")

    @Test func theDocumentHoldsAgainstTheRunningServer() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.tool.path), "schemathesis is not installed: run ./scripts/test (it installs it)")
        let f = try ServerFixture()
        let report = try CLI.tempDirectory("schemathesis")
        let r = try CLI.exec(Self.tool.path, [
            "run", f.server.url + "/openapi.yaml", "--tls-verify", f.server.caPEM, "-H", "Authorization: Bearer \(f.admin.secret)",
            "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--max-examples", "40", "--workers", "1", "--seed", "1",
            "--report", "junit", "--report-dir", report.path,
        ], environment: ["SCHEMATHESIS_HOOKS": "hooks", "PYTHONPATH": SharedVectors.packageRoot.appendingPathComponent("Tests/schemathesis").path],
           cwd: SharedVectors.packageRoot.appendingPathComponent("Tests/schemathesis"))
        #expect(r.status == 0, "\(r.output.suffix(6000))")
        #expect(r.stdout.contains("passed"), "\(r.stdout.suffix(2000))")
        #expect(try f.home.run(["audit", "verify"]).status == 0)
    }
}

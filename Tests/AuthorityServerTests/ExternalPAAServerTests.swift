import Foundation
import MatterPKI
import Testing
import TestSupport

/// The server under a PAI imported from an external PAA (`pai csr` / `pai import`): EST enrols DACs under it that
/// the SDK accepts, and `--trust-own-paas` does not make the external PAA a trust anchor of /v1/verify.
@Suite(.enabled(if: TestHome.softHSMAvailable && SharedVectors.available, SharedVectors.skipReason)) struct ExternalPAAServerTests {
    @Test func estEnrolsUnderTheImportedPAIAndOwnPAATrustLeavesTheExternalPAAOut() throws {
        let (h, pai, _) = try ExternalPAA.importedHome()
        let factory = try h.token(vendor: "FFF1", label: "factory")
        let trust = try SDKTrustFixtures.directories()
        let server = try TestServer(home: h, arguments: ["--trust-own-paas", "--cd-keys", trust.cdKeys.path])
        let dir = try CLI.tempDirectory("external-est")
        let (csr, deviceKey) = try ServerFixture.csr(in: dir)
        let r = try server.curl("/.well-known/est/FFF1-8000/simpleenroll", method: "POST", basic: "factory:\(factory.secret)",
                                contentType: "application/pkcs10", body: ServerFixture.base64(csr))
        #expect(r.status == 200, "\(r.body)")
        let dacPEM = try ServerFixture.certificates(fromPKCS7: r.body, in: dir)
        let dac = try CertificateFile.parse(Array(dacPEM.utf8), name: "EST DAC")
        #expect(dac.authorityKeyIdentifier?.hexString == pai)
        let chain = try server.curl("/.well-known/est/FFF1-8000/cacerts")
        #expect(chain.status == 200, "\(chain.body)")
        let chainPEM = try ServerFixture.certificates(fromPKCS7: chain.body, in: dir)
        let certs = try chainPEM.components(separatedBy: "-----END CERTIFICATE-----").filter { $0.contains("BEGIN") }
            .map { try CertificateFile.parse(Array(($0 + "-----END CERTIFICATE-----\n").utf8), name: "cacerts") }
        let paaCert = try #require(certs.first { $0.subjectKeyIdentifier?.hexString == ExternalPAA.noVIDSKID }, "cacerts carries the external PAA")
        let paiCert = try #require(certs.first { $0.subjectKeyIdentifier?.hexString == pai })
        if SDKJudge.installed {
            let verdict = try SDKJudge.judgeChains([(paaCert.der, paiCert.der, dac.der)])
            #expect(verdict.first?.ok == true, "the SDK refuses the EST DAC: \(verdict.first?.problems ?? [])")
        }

        // /v1/verify with --trust-own-paas and no PAA store: the external PAA is not one of the authority's own.
        let cd = dir.appendingPathComponent("cd.der").path
        #expect(try CLI.run(["dev", "cd", "--vid", "FFF1", "--pid", "8000", "--signing-key", SDKTrustFixtures.testCDKey.path,
                             "--signing-cert", SDKTrustFixtures.testCDCert.path, "--out", cd]).status == 0)
        let nonce = String(repeating: "A5", count: 32), challenge = String(repeating: "3C", count: 16)
        let att = dir.appendingPathComponent("att")
        let a = try CLI.run(["dev", "attest", "--dac-key", deviceKey.path, "--cd", cd, "--nonce", nonce, "--challenge", challenge, "--out", att.path])
        #expect(a.status == 0, "\(a.output)")
        let body = try JSONSerialization.data(withJSONObject: [
            "dac": Data(dac.der).base64EncodedString(), "pai": Data(paiCert.der).base64EncodedString(),
            "attestationElements": try Data(contentsOf: att.appendingPathComponent("elements.tlv")).base64EncodedString(),
            "attestationSignature": try Data(contentsOf: att.appendingPathComponent("signature.bin")).base64EncodedString(),
            "attestationNonce": Data([UInt8](hex: nonce)!).base64EncodedString(), "attestationChallenge": Data([UInt8](hex: challenge)!).base64EncodedString(),
            "vendorId": "FFF1", "productId": "8000"])
        func code(_ s: TestServer) throws -> Int? {
            let v = try s.curl("/v1/verify", method: "POST", token: factory.secret, contentType: "application/json", body: body)
            return (try JSONSerialization.jsonObject(with: Data(v.body.utf8)) as? [String: Any])?["code"] as? Int
        }
        #expect(try code(server) == 101, "PaaNotFound: the external PAA is trusted for its chain only, not by --trust-own-paas")
        server.stop()
        // The same attestation with the PAA in the verifier's store: accepted, so 101 above is the trust decision alone.
        let withStore = try TestServer(home: h, arguments: ["--paa-store", trust.paa.path, "--cd-keys", trust.cdKeys.path])
        #expect(try code(withStore) == 0)
        withStore.stop()
    }
}

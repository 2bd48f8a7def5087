import AttestationVerifier
import Foundation
import MatterPKI
import Testing
import TestSupport

/// `POST /v1/verify` answers as `matter-ca verify` does: the SDK's code on every public commissioner_dut vector,
/// and the in-process verifier's code (itself equal to the SDK's, SDKDifferentialVerifyTests) on mutated
/// attestations.
@Suite(.enabled(if: TestHome.softHSMAvailable && SharedVectors.available, SharedVectors.skipReason)) struct VerifyEndpointTests {
    static func body(_ a: AttestationInput) throws -> Data {
        try JSONSerialization.data(withJSONObject: [
            "dac": Data(a.dac).base64EncodedString(), "pai": Data(a.pai).base64EncodedString(),
            "attestationElements": Data(a.attestationElements).base64EncodedString(),
            "attestationSignature": Data(a.attestationSignature).base64EncodedString(),
            "attestationNonce": Data(a.attestationNonce).base64EncodedString(),
            "attestationChallenge": Data(a.attestationChallenge).base64EncodedString(),
            "vendorId": String(format: "%04X", a.vendorID), "productId": String(format: "%04X", a.productID)])
    }

    static func code(_ f: ServerFixture, _ a: AttestationInput) throws -> (Int, String) {
        let r = try f.server.curl("/v1/verify", method: "POST", token: f.fff1.secret, contentType: "application/json", body: try body(a))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any], "\(r.status) \(r.body)")
        return (try #require(json["code"] as? Int), json["reason"] as? String ?? "")
    }

    @Test func everyPublicVectorAndMutationGetsTheSDKsCode() throws {
        let trust = try SDKTrustFixtures.directories()
        let f = try ServerFixture(arguments: ["--paa-store", trust.paa.path, "--cd-keys", trust.cdKeys.path])
        var mismatches: [String] = []
        for name in SharedVectors.verdicts.keys.sorted() {
            let verdict = try #require(SharedVectors.verdicts[name])
            let path = SharedVectors.commissionerDUT.appendingPathComponent(name).appendingPathComponent("test_case_vector.json").path
            let (code, reason) = try Self.code(f, try SDKTestVector(path: path).attestationInput())
            switch verdict.sdk_code {
            case .crash: if code == 0 { mismatches.append("\(name): the SDK crashed, /v1/verify succeeded") }
            case .code(let want):
                let target = ["struct_cd_official_cd", "struct_cd_cert_type_wrong"].contains(name) ? 601 : want   // newest SDK rule, as the CLI
                if code != target { mismatches.append("\(name): SDK \(target), /v1/verify \(code) \(reason)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        // Mutated attestations: the server and the in-process verifier over the same trust.
        let (local, _) = try VerifierConfiguration(paaStore: trust.paa, cdKeys: trust.cdKeys).make()
        let builder = try SDKAttestationBuilder()
        var rng = SystemRandomNumberGenerator()
        var codes = Set<Int>()
        for m in SDKAttestationBuilder.catalogue() {
            var o = ChainMutations.randomOptions(using: &rng)
            o.cnFallback = false
            let input = builder.build(m, options: o)
            let want = local.verify(input).code
            let (got, reason) = try Self.code(f, input)
            codes.insert(got)
            if got != want { mismatches.append("\(m.name): in-process \(want), /v1/verify \(got) \(reason)") }
        }
        #expect(codes.count >= 15)
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }
}

/// SIGHUP reloads the trust stores: a PAA added to the store is trusted from then on, without a restart.
@Suite(.enabled(if: TestHome.softHSMAvailable && SharedVectors.available, SharedVectors.skipReason)) struct TrustReloadTests {
    @Test func sighupReloadsTheTrustStores() throws {
        let trust = try SDKTrustFixtures.directories()
        let empty = try CLI.tempDirectory("paa-empty")
        let f = try ServerFixture(arguments: ["--paa-store", empty.path, "--cd-keys", trust.cdKeys.path])
        let vector = SharedVectors.commissionerDUT.appendingPathComponent("struct_cd_format_version_1/test_case_vector.json").path
        let input = try SDKTestVector(path: vector).attestationInput()
        #expect(try VerifyEndpointTests.code(f, input).0 == 101, "PaaNotFound before the PAAs are there")
        for name in try FileManager.default.contentsOfDirectory(atPath: trust.paa.path) {
            try FileManager.default.copyItem(at: trust.paa.appendingPathComponent(name), to: empty.appendingPathComponent(name))
        }
        kill(f.server.process.processIdentifier, SIGHUP)
        var code = -1
        for _ in 0..<50 where code != 0 { usleep(100_000); code = try VerifyEndpointTests.code(f, input).0 }
        #expect(code == 0, "after SIGHUP the new PAAs are trusted")
        #expect(f.server.process.isRunning)
    }
}

/// `/v1/verify` consults the revocation set it was given (`serve --revocation-set`): a revoked DAC gets 302, and a
/// set replaced on disk takes effect at SIGHUP.
@Suite(.enabled(if: TestHome.softHSMAvailable && SharedVectors.available, SharedVectors.skipReason)) struct VerifyRevocationTests {
    @Test func aRevokedDACIs302AndAReloadedSetIsUsed() throws {
        let trust = try SDKTrustFixtures.directories()
        let vector = SharedVectors.commissionerDUT.appendingPathComponent("struct_cd_format_version_1/test_case_vector.json").path
        let input = try SDKTestVector(path: vector).attestationInput()
        let dac = try ParsedCertificate(der: input.dac), pai = try ParsedCertificate(der: input.pai)
        let entry = RevocationSetEntry(issuerSubjectKeyID: pai.subjectKeyIdentifier!.hexString, issuerName: Data(pai.subject.der).base64EncodedString(),
                                       revokedSerialNumbers: [RevocationSetEntry.serialHex(dac.serialNumber)], crlSignerCert: Data(pai.der).base64EncodedString())
        let set = try CLI.tempDirectory("verify-set").appendingPathComponent("set.json")
        try JSONEncoder().encode([entry]).write(to: set)
        let f = try ServerFixture(arguments: ["--paa-store", trust.paa.path, "--cd-keys", trust.cdKeys.path, "--revocation-set", set.path])
        let revoked = try VerifyEndpointTests.code(f, input)
        #expect(revoked.0 == 302, "\(revoked.1)")
        try Data("[]".utf8).write(to: set)
        kill(f.server.process.processIdentifier, SIGHUP)
        var code = -1
        for _ in 0..<50 where code != 0 { usleep(100_000); code = try VerifyEndpointTests.code(f, input).0 }
        #expect(code == 0, "after SIGHUP the emptied set revokes nothing")
    }
}

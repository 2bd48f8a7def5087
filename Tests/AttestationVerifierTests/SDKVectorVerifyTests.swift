import Foundation
import Testing
import TestSupport

/// `matter-ca verify --vector` on every commissioner_dut vector returns the code the SDK's DefaultDACVerifier
/// recorded in sdk-verdicts.json.
@Suite struct SDKVectorVerifyTests {
    static let trust = try? SDKTrustFixtures.directories()
    static var allVectors: [String] { SharedVectors.verdicts.keys.sorted() }

    /// The SDK build behind sdk-verdicts.json predates the newest test-CD-key rule (PRs #42464/#42600): a CD signed
    /// by the test key with certification_type other than 0/1 is 601 under that rule, which matter-ca follows
    /// (VECTORS.md names the official CD case; the reserved type 255 falls under the same rule).
    static let newestTestKeyRule: Set<String> = ["struct_cd_official_cd", "struct_cd_cert_type_wrong"]

    @Test(.enabled(if: SharedVectors.available, SharedVectors.skipReason), arguments: allVectors)
    func verifyVectorGivesTheSDKCode(_ name: String) throws {
        let trust = try #require(Self.trust)
        let verdict = try #require(SharedVectors.verdicts[name])
        let path = SharedVectors.commissionerDUT.appendingPathComponent(name).appendingPathComponent("test_case_vector.json").path
        let r = try CLI.run(["verify", "--vector", path, "--paa-store", trust.paa.path, "--cd-keys", trust.cdKeys.path, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(name): \(r.output)")
        let code = try #require(json["code"] as? Int)
        #expect(r.status == (code == 0 ? 0 : 1))
        switch verdict.sdk_code {
        case .crash:
            #expect(code != 0, "\(name): the SDK build crashed here; any failure is the target")
        case .code(let want):
            if Self.newestTestKeyRule.contains(name) {
                #expect(code == 601, "\(name): newest SDK rule gives 601, got \(code) \(json["reason"] ?? "")")
            } else {
                #expect(code == want, "\(name): SDK \(want) \(verdict.sdk_result), matter-ca \(code) \(json["result"] ?? ""): \(json["reason"] ?? "")")
            }
        }
    }
}

/// The vectors whose is_success_case expects a failure the SDK verifier does not detect (CD fields it leaves to the
/// DCL) fail under the optional CD policy, with the DCL's values for the product; success vectors still pass.
@Suite struct CDPolicyVectorTests {
    @Test(.enabled(if: SharedVectors.available, SharedVectors.skipReason))
    func optionalPolicyCatchesWhatTheSDKLeavesToTheDCL() throws {
        let trust = try SDKTrustFixtures.directories()
        let dcl = ["--expect-device-type", "1234", "--expect-security-level", "0", "--expect-security-info", "0"]
        func code(_ name: String, _ extra: [String]) throws -> Int {
            let path = SharedVectors.commissionerDUT.appendingPathComponent(name).appendingPathComponent("test_case_vector.json").path
            let r = try CLI.run(["verify", "--vector", path, "--paa-store", trust.paa.path, "--cd-keys", trust.cdKeys.path, "--json"] + extra)
            return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["code"] as! Int
        }
        let undetected = ["struct_cd_device_type_id_mismatch", "struct_cd_security_info_wrong"]
        #expect(undetected.allSatisfy { SharedVectors.verdicts[$0]?.sdk_code == .code(0) && SharedVectors.verdicts[$0]?.is_success_case == false })
        for name in undetected {
            #expect(try code(name, []) == 0, "\(name): off by default, as the SDK")
            #expect(try code(name, dcl) == 603, "\(name): the policy refuses it")
        }
        #expect(try code("struct_cd_format_version_1", dcl) == 0)
    }
}

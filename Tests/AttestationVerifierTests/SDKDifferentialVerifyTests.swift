import AttestationVerifier
import Foundation
import MatterPKI
import Testing
import TestSupport

/// matter-ca's verifier against the SDK's own DefaultDACVerifier (sdk-judge `sdk_verifier.py`): attestations under the
/// SDK test PAA NoVID with CDs signed by the test CD key, each mutated in one place. Result codes must be equal.
@Suite struct SDKDifferentialVerifyTests {
    @Test(.enabled(if: SharedVectors.available, SharedVectors.skipReason))
    func resultCodesEqualTheSDKs() throws {
        try #require(SDKJudge.installed, Comment(rawValue: SDKJudge.notInstalled))
        let builder = try SDKAttestationBuilder()
        let trustDirs = try SDKTrustFixtures.directories()
        var keys = try CDSigningKeyStore(directory: trustDirs.cdKeys)
        keys.testKeyPolicy = .sdk2025   // the judge is a mid-2025 SDK build
        let verifier = AttestationVerifier(trust: TrustStores(paas: try PAATrustStore(directory: trustDirs.paa), cdKeys: keys))

        var rng = SystemRandomNumberGenerator()
        let catalogue = SDKAttestationBuilder.catalogue()
        var cases: [(String, AttestationInput)] = []
        for _ in 0..<3 {
            for m in catalogue {
                var o = ChainMutations.randomOptions(using: &rng)
                o.cnFallback = false
                cases.append((m.name, builder.build(m, options: o)))
            }
        }
        #expect(cases.count >= 1000)
        let sdk = try SDKJudge.judgeAttestations(cases.map { c in
            SDKJudge.AttestationCase(elements: c.1.attestationElements, challenge: c.1.attestationChallenge, signature: c.1.attestationSignature,
                                     pai: c.1.pai, dac: c.1.dac, nonce: c.1.attestationNonce, vid: c.1.vendorID, pid: c.1.productID)
        })
        var disagreements: [String] = []
        var codes: [Int: Int] = [:]
        for ((name, input), s) in zip(cases, sdk) {
            let ours = verifier.verify(input)
            codes[ours.code, default: 0] += 1
            if s.crashed { if ours.isSuccess { disagreements.append("\(name): SDK crashed, matter-ca succeeded") }; continue }
            if s.code != ours.code { disagreements.append("\(name): SDK \(s.code.map(String.init) ?? "none"), matter-ca \(ours)") }
        }
        print("differential verify: \(cases.count) attestations, codes \(codes.sorted { $0.key < $1.key }), disagreements \(disagreements.count)")
        #expect(codes.keys.count >= 15, "the mutations must reach many result codes")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements:\n\(Set(disagreements).sorted().joined(separator: "\n"))")
    }
}

import Foundation
import MatterPKI
import Testing
import TestSupport

/// matter-ca's lint against the Matter SDK's own C++ checks (sdk-judge `matter_oracle.py`) on generated chains,
/// each valid chain mutated in one place. The verdicts must agree on every chain.
@Suite struct SDKDifferentialLintTests {
    struct Case { let mutation: String; let options: ForgedChain.Options; let der: (paa: [UInt8], pai: [UInt8], dac: [UInt8]) }

    static func matterCA(_ c: Case) -> (ok: Bool, reasons: [String]) {
        do {
            let v = MatterProfile.lintChain(paa: try ParsedCertificate(der: c.der.paa), pai: try ParsedCertificate(der: c.der.pai),
                                            dac: try ParsedCertificate(der: c.der.dac))
            return (v.isEmpty, v.map(\.description))
        } catch {
            return (false, ["unreadable: \(error)"])
        }
    }

    @Test(.enabled(if: SharedVectors.available, SharedVectors.skipReason))
    func lintAgreesWithSDKOnMutatedChains() throws {
        try #require(SDKJudge.installed, Comment(rawValue: SDKJudge.notInstalled))
        var rng = SystemRandomNumberGenerator()
        var cases: [Case] = []
        let mutations = ChainMutations.all()
        for round in 0..<2 {
            for m in mutations {
                let o = ChainMutations.randomOptions(using: &rng)
                var chain = ForgedChain(o)
                if round == 0 || m.name != "none" { m.apply(&chain) }
                cases.append(Case(mutation: m.name, options: o, der: chain.render()))
            }
        }
        // Plenty of untouched chains over the random bases too.
        for _ in 0..<40 {
            let o = ChainMutations.randomOptions(using: &rng)
            cases.append(Case(mutation: "none", options: o, der: ForgedChain(o).render()))
        }
        #expect(cases.count >= 500)
        let sdk = try SDKJudge.judgeChains(cases.map(\.der))
        var disagreements: [String] = []
        var counts = (valid: 0, invalid: 0)
        for (c, s) in zip(cases, sdk) {
            let ours = Self.matterCA(c)
            if s.ok { counts.valid += 1 } else { counts.invalid += 1 }
            if ours.ok != s.ok {
                disagreements.append("""
                    \(c.mutation) [vid \(String(format: "%04X", c.options.vid)) pid \(String(format: "%04X", c.options.pid)) \
                    paaVID \(c.options.paaHasVID) paiPID \(c.options.paiHasPID) cnFallback \(c.options.cnFallback)]: \
                    SDK \(s.ok ? "valid" : "invalid \(s.problems)"), matter-ca \(ours.ok ? "valid" : "invalid \(ours.reasons)")
                    """)
            }
        }
        print("differential lint: \(cases.count) chains, SDK valid \(counts.valid), invalid \(counts.invalid), disagreements \(disagreements.count)")
        #expect(counts.valid > 50 && counts.invalid > 200, "the generated set must exercise both verdicts")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements:\n\(disagreements.joined(separator: "\n"))")
    }
}

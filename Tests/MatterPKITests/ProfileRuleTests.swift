import Foundation
import MatterPKI
import Testing
import TestSupport

/// Every rule of the profile has a violating certificate that lint refuses under that rule's name.
@Suite struct ProfileRuleTests {
    /// Rules of the delegated CRL signer, which is not part of the attestation chain: `crlSignerRules` covers them.
    static let crlSignerRules: Set<MatterRule> = [.crlSignerMustNotBeCA, .crlSignerKeyUsageMustBeCRLSign, .crlSignerVIDPIDMustMatchIssuer]

    @Test func everyRuleHasAnExample() {
        // mustMatchLintedTemplate is the template lint's (DACTemplateTests.strayBytesAnywhereAreRefused breaks it).
        let covered = Set(RuleExamples.all.map(\.rule)).union(Self.crlSignerRules).union([.mustMatchLintedTemplate])
        let missing = MatterRule.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "rules without a violating example: \(missing)")
    }

    /// A DAC, a PAI and a PID-carrying certificate, each linted as a CRL signer under the PAI: refused under the
    /// CRL-signer rule that names the difference (cA, keyUsage, VID/PID).
    @Test func crlSignerRules() throws {
        var o = ForgedChain.Options(); o.paiHasPID = false
        let der = ForgedChain(o).render()
        let pai = CertificateFacts(try ParsedCertificate(der: der.pai), as: .pai)
        func violations(_ bytes: [UInt8]) throws -> Set<MatterRule> {
            let facts = CertificateFacts(try ParsedCertificate(der: bytes), as: .crlSigner)
            return Set((MatterProfile.lint(facts, policy: .issuance) + MatterProfile.lintIssuer(child: facts, issuer: pai, policy: .issuance)).map(\.rule))
        }
        let asDAC = try violations(der.dac)   // keyUsage digitalSignature only; carries a PID the PAI lacks
        #expect(asDAC.contains(.crlSignerKeyUsageMustBeCRLSign) && asDAC.contains(.crlSignerVIDPIDMustMatchIssuer), "\(asDAC)")
        #expect(!asDAC.contains(.crlSignerMustNotBeCA))
        let asPAI = try violations(der.pai)   // cA TRUE, pathLen 0; keyCertSign beside cRLSign
        #expect(asPAI.contains(.crlSignerMustNotBeCA) && asPAI.contains(.crlSignerKeyUsageMustBeCRLSign), "\(asPAI)")
        for r in Self.crlSignerRules { #expect(!MatterProfile.explain(r).requirement.isEmpty) }
    }

    @Test(arguments: RuleExamples.all.map(\.rule))
    func violatingChainIsRefusedUnderTheRulesName(_ rule: MatterRule) throws {
        let example = RuleExamples.all.first { $0.rule == rule }!
        let der = RuleExamples.chain(for: example).render()
        let violations = MatterProfile.lintChain(paa: try ParsedCertificate(der: der.paa), pai: try ParsedCertificate(der: der.pai),
                                                 dac: try ParsedCertificate(der: der.dac), policy: .issuance)
        #expect(violations.contains { $0.rule == rule && $0.certificate == example.target },
                "\(example.mutation): expected \(rule) on the \(example.target), got \(violations.map(\.description))")
        // The detail names what was found, not just the rule.
        let detail = violations.first { $0.rule == rule }?.detail ?? ""
        #expect(!detail.isEmpty)
    }

    @Test func validChainHasNoViolationsUnderEitherPolicy() throws {
        for o in [ForgedChain.Options(), { var o = ForgedChain.Options(); o.paaHasVID = true; o.paiHasPID = true; o.cnFallback = true; return o }()] {
            let der = ForgedChain(o).render()
            let (a, i, d) = (try ParsedCertificate(der: der.paa), try ParsedCertificate(der: der.pai), try ParsedCertificate(der: der.dac))
            #expect(MatterProfile.lintChain(paa: a, pai: i, dac: d).isEmpty)
            #expect(MatterProfile.lintChain(paa: a, pai: i, dac: d, policy: .issuance).isEmpty)
        }
    }

    @Test func verifierPolicyDoesNotApplyIssuanceRules() throws {
        let example = RuleExamples.all.first { $0.rule == .serialNumberMustBePositiveAndAtMost20Bytes }!
        let der = RuleExamples.chain(for: example).render()
        let v = MatterProfile.lintChain(paa: try ParsedCertificate(der: der.paa), pai: try ParsedCertificate(der: der.pai),
                                        dac: try ParsedCertificate(der: der.dac))
        #expect(v.isEmpty, "a 21-byte serial is the issuer's problem, not a verifier failure: \(v)")
    }

    @Test func everyRuleIsExplained() {
        for rule in MatterRule.allCases {
            let e = MatterProfile.explain(rule)
            #expect(!e.requirement.isEmpty && !e.source.isEmpty, "\(rule) has no requirement/source text")
        }
    }
}

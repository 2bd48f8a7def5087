@testable import AttestationVerifier
import MatterPKI
import Testing

/// Every rule of the profile that the verifier's lint can report belongs to exactly one SDK stage: a new rule that
/// nobody placed fails here, and fails closed in the verifier meanwhile.
@Suite struct VerificationStagesTests {
    @Test func everyVerifierRuleHasExactlyOneStage() {
        // The delegated CRL signer is no part of an attestation chain: its rules are the issuer's and the DCL's.
        let verifierRules = Set(MatterProfile.certificateRules.filter { !$0.issuanceOnly && !$0.appliesTo.isDisjoint(with: [.paa, .pai, .dac]) }.map(\.id))
        let stages = [VerificationStages.formatRules, VerificationStages.vidPidRules, VerificationStages.chainRules, VerificationStages.extensionShapeRules]
        let unclaimed = verifierRules.subtracting(VerificationStages.claimed)
        #expect(unclaimed.isEmpty, "rules with no verification stage: \(unclaimed.map(\.rawValue).sorted())")
        for rule in verifierRules {
            #expect(stages.filter { $0.contains(rule) }.count == 1, "\(rule) is in \(stages.filter { $0.contains(rule) }.count) stages")
        }
    }
}

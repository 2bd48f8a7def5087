import Foundation

/// The Matter PAA/PAI/DAC certificate profile (matter-attestation.md §1), as rule data plus the functions that
/// apply it. The builder lints with it before signing, `matter-ca lint` reports with it and the attestation
/// verifier judges chains with it: one rule set.
public enum MatterProfile {
    public enum Policy: Sendable {
        /// What a Matter verifier (the SDK) requires.
        case verifier
        /// What matter-ca issues: the verifier rules plus the issuance rules.
        case issuance
    }

    public static let certificateRules: [CertificateRule] = structureRules + extensionRules + vidPidRules + issuanceRules
    public static let issuerRules: [IssuerRule] = MatterPKI.issuerRules
    public static let chainRules: [ChainRule] = MatterPKI.chainRules

    /// The rules of one certificate on its own.
    public static func lint(_ certificate: ParsedCertificate, as type: CertificateType, policy: Policy = .verifier) -> [ProfileViolation] {
        lint(CertificateFacts(certificate, as: type), policy: policy)
    }

    public static func lint(_ facts: CertificateFacts, policy: Policy = .verifier) -> [ProfileViolation] {
        var out: [ProfileViolation] = []
        for rule in applicable[facts.type]![policy == .issuance ? 1 : 0] {
            for detail in rule.check(facts) { out.append(ProfileViolation(rule.id, facts.type, detail)) }
        }
        return out
    }

    /// The certificate rules of each type, for the verifier [0] and for issuance [1], in rule order: chosen once,
    /// not per certificate (a bridge lints one DAC per device).
    static let applicable: [CertificateType: [[CertificateRule]]] = Dictionary(uniqueKeysWithValues: CertificateType.allCases.map { type in
        let rules = certificateRules.filter { $0.appliesTo.contains(type) }
        return (type, [rules.filter { !$0.issuanceOnly }, rules])
    })
    static let verifierIssuerRules = issuerRules.filter { !$0.issuanceOnly }

    /// The rules between a certificate and the certificate that issued it.
    public static func lintIssuer(child: CertificateFacts, issuer: CertificateFacts, policy: Policy = .verifier) -> [ProfileViolation] {
        (policy == .issuance ? issuerRules : verifierIssuerRules)
            .flatMap { rule in rule.check(child, issuer).map { ProfileViolation(rule.id, child.type, $0) } }
    }

    /// Everything the SDK checks on a PAA → PAI → DAC chain: each certificate's format, the links, validity at
    /// the DAC's notBefore, the DAC at `now`, and the VID/PID rules.
    public static func lintChain(paa: ParsedCertificate, pai: ParsedCertificate, dac: ParsedCertificate,
                                 at now: Date = Date(), policy: Policy = .verifier) -> [ProfileViolation] {
        let a = CertificateFacts(paa, as: .paa), i = CertificateFacts(pai, as: .pai), d = CertificateFacts(dac, as: .dac)
        var out = lint(a, policy: policy) + lint(i, policy: policy) + lint(d, policy: policy)
        out += lintIssuer(child: i, issuer: a, policy: policy) + lintIssuer(child: d, issuer: i, policy: policy)
        let t = Int64(now.timeIntervalSince1970.rounded(.down))
        for rule in chainRules {
            out += rule.check(a, i, d, t).map { ProfileViolation(rule.id, $0.0, $0.1) }
        }
        return out
    }

    /// The requirement text and source of a rule, for listings and error messages.
    public static func explain(_ id: MatterRule) -> (requirement: String, source: String) {
        if id == .mustMatchLintedTemplate {
            return ("a templated DAC's bytes outside its per-device fields (serial, validity, key, SKID) equal the template's, which passed every rule",
                    "matter-ca issuance (TBSTemplate)")
        }
        if let r = certificateRules.first(where: { $0.id == id }) { return (r.requirement, r.source) }
        if let r = issuerRules.first(where: { $0.id == id }) { return (r.requirement, r.source) }
        if let r = chainRules.first(where: { $0.id == id }) { return (r.requirement, r.source) }
        return ("", "")
    }
}

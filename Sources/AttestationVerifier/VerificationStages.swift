import MatterPKI

/// Where each `MatterProfile` rule sits in the SDK's `DefaultDACVerifier` (matter-attestation.md §2.4), so that
/// the one rule set yields the SDK's result code: `VerifyAttestationCertificateFormat` (203/303), the VID/PID
/// rules (303/203/305/306/105/205), or `ValidateCertificateChain` (301).
enum VerificationStages {
    static let formatRules: Set<MatterRule> = [
        .versionMustBeV3, .signatureAlgorithmMustBeECDSAWithSHA256, .publicKeyMustBeP256,
        .basicConstraintsMustBePresent, .basicConstraintsMustBeCritical, .dacMustNotBeCA, .caMustBeCA,
        .paaPathLengthMustBeAbsentOrOne, .paiPathLengthMustBeZero, .dacPathLengthMustBeAbsent,
        .keyUsageMustBePresent, .keyUsageMustBeCritical, .dacKeyUsageMustBeDigitalSignatureOnly,
        .caKeyUsageMustIncludeKeyCertSignAndCRLSign, .caKeyUsageMustNotHaveOtherBits,
        .subjectKeyIdentifierMustBePresent, .subjectKeyIdentifierMustNotBeCritical, .subjectKeyIdentifierMustBe20Bytes,
        .authorityKeyIdentifierMustBePresent, .authorityKeyIdentifierMustNotBeCritical, .authorityKeyIdentifierMustBe20Bytes,
    ]
    static let vidPidRules: Set<MatterRule> = [
        .vidPidEncodingMustBeValid, .dacMustHaveVID, .dacMustHavePID, .paiMustHaveVID, .paaMustNotHavePID,
        .dacVIDMustMatchPAI, .dacPIDMustMatchPAI, .paiVIDMustMatchPAA,
    ]
    /// Checked by the SDK's chain validation (any failure there is 301).
    static let chainRules: Set<MatterRule> = [
        .signatureAlgorithmFieldsMustMatch, .issuerNameMustNotBeEmpty, .subjectNameMustNotBeEmpty, .validityMustNotBeEmpty,
        .criticalExtensionMustBeUnderstood, .paaMustBeSelfIssued, .issuerNameMustMatchIssuerSubject,
        .authorityKeyIdentifierMustMatchIssuerSKID, .signatureMustVerifyWithIssuerKey, .chainMustBeValidAtDACNotBefore,
    ]

    /// Extension rules whose stage depends on which extension broke (see `split`).
    static let extensionShapeRules: Set<MatterRule> = [.extensionMustNotRepeat, .extensionMustBeWellFormed]

    /// Every rule a verifier-policy lint of one certificate can report has exactly one stage; `split` fails closed
    /// on anything else (a chain failure), and a test holds this set equal to the profile's rules.
    static var claimed: Set<MatterRule> { formatRules.union(vidPidRules).union(chainRules).union(extensionShapeRules) }

    static let profileExtensions = [OID.basicConstraints, OID.keyUsage, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier]

    /// One lint of the certificate, split by where the SDK would report each violation:
    /// `VerifyAttestationCertificateFormat` (format) or its chain validation (chain); VID/PID rules are checked
    /// by the verifier itself.
    static func split(_ f: CertificateFacts) -> (format: [ProfileViolation], chain: [ProfileViolation]) {
        let all = MatterProfile.lint(f)
        // The SDK's format check refuses a certificate whose basicConstraints, keyUsage, SKID or AKID repeats or
        // does not decode (measured with the sdk-judge: a malformed DAC basicConstraints is 303, not 301).
        let profileExtensionRepeats = profileExtensions.contains { f.extensions($0).count > 1 }
        var profileExtensionMalformed = false
        for r in [f.basicConstraints.map { $0.map { _ in () } }, f.keyUsage.map { $0.map { _ in () } },
                  f.subjectKeyIdentifier.map { $0.map { _ in () } }, f.authorityKeyIdentifier.map { $0.map { _ in () } }] {
            if case .failure? = r { profileExtensionMalformed = true }
        }
        var format: [ProfileViolation] = [], chain: [ProfileViolation] = []
        for v in all {
            switch v.rule {
            case _ where formatRules.contains(v.rule): format.append(v)
            case .extensionMustNotRepeat: profileExtensionRepeats ? format.append(v) : chain.append(v)
            case .extensionMustBeWellFormed: profileExtensionMalformed ? format.append(v) : chain.append(v)
            case _ where chainRules.contains(v.rule): chain.append(v)
            // Reported by the verifier's own VID/PID stage (305/306/205/105), in the SDK's order.
            case _ where vidPidRules.contains(v.rule): break
            // A rule no stage claims fails closed: the certificate does not pass.
            default: chain.append(v)
            }
        }
        return (format, chain)
    }
}

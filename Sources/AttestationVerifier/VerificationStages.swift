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

    static let profileExtensions = [OID.basicConstraints, OID.keyUsage, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier]

    /// The violations `VerifyAttestationCertificateFormat` would report for this certificate.
    static func formatViolations(_ f: CertificateFacts) -> [ProfileViolation] {
        MatterProfile.lint(f).filter { v in
            if formatRules.contains(v.rule) { return true }
            switch v.rule {
            case .extensionMustNotRepeat:
                return profileExtensions.contains { f.extensions($0).count > 1 }
            case .extensionMustBeWellFormed:
                // The SDK's format check refuses a certificate whose basicConstraints, keyUsage, SKID or AKID does
                // not decode (measured with the sdk-judge: a malformed DAC basicConstraints is 303, not 301).
                for r in [f.basicConstraints.map { $0.map { _ in () } }, f.keyUsage.map { $0.map { _ in () } },
                          f.subjectKeyIdentifier.map { $0.map { _ in () } }, f.authorityKeyIdentifier.map { $0.map { _ in () } }] {
                    if case .failure? = r { return true }
                }
                return false
            default: return false
            }
        }
    }

    /// The violations the SDK's chain validation would report (anything of the certificate's own rules that is
    /// not a format or VID/PID matter).
    static func chainViolations(_ f: CertificateFacts) -> [ProfileViolation] {
        let format = Set(formatViolations(f).map(\.rule))
        return MatterProfile.lint(f).filter { v in
            chainRules.contains(v.rule)
                || ((v.rule == .extensionMustNotRepeat || v.rule == .extensionMustBeWellFormed) && !format.contains(v.rule))
        }
    }
}

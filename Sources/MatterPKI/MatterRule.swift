/// Every rule of the Matter attestation certificate profile that matter-ca enforces, by name. The same names
/// appear in lint output, in builder refusals and in verifier reasons.
public enum MatterRule: String, CaseIterable, Sendable, Codable {
    // Structure (SDK `VerifyAttestationCertificateFormat`, §1.1)
    case versionMustBeV3
    case signatureAlgorithmMustBeECDSAWithSHA256
    case signatureAlgorithmFieldsMustMatch
    case publicKeyMustBeP256
    case issuerNameMustNotBeEmpty
    case subjectNameMustNotBeEmpty
    case validityMustNotBeEmpty
    case extensionMustNotRepeat
    case extensionMustBeWellFormed
    case criticalExtensionMustBeUnderstood
    case basicConstraintsMustBePresent
    case basicConstraintsMustBeCritical
    case dacMustNotBeCA
    case caMustBeCA
    case crlSignerMustNotBeCA
    case crlSignerKeyUsageMustBeCRLSign
    case crlSignerVIDPIDMustMatchIssuer
    /// Issuance: a templated DAC's bytes outside its per-device fields equal the template that passed the full lint.
    case mustMatchLintedTemplate
    case paaPathLengthMustBeAbsentOrOne
    case paiPathLengthMustBeZero
    case dacPathLengthMustBeAbsent
    case keyUsageMustBePresent
    case keyUsageMustBeCritical
    case dacKeyUsageMustBeDigitalSignatureOnly
    case caKeyUsageMustIncludeKeyCertSignAndCRLSign
    case caKeyUsageMustNotHaveOtherBits
    case subjectKeyIdentifierMustBePresent
    case subjectKeyIdentifierMustNotBeCritical
    case subjectKeyIdentifierMustBe20Bytes
    case authorityKeyIdentifierMustBePresent
    case authorityKeyIdentifierMustNotBeCritical
    case authorityKeyIdentifierMustBe20Bytes
    case paaMustBeSelfIssued
    // VID/PID (§1.2, §1.3)
    case vidPidEncodingMustBeValid
    case dacMustHaveVID
    case dacMustHavePID
    case paiMustHaveVID
    case paaMustNotHavePID
    case dacVIDMustMatchPAI
    case dacPIDMustMatchPAI
    case paiVIDMustMatchPAA
    // Chain (§1.4, §1.5)
    case issuerNameMustMatchIssuerSubject
    case authorityKeyIdentifierMustMatchIssuerSKID
    case signatureMustVerifyWithIssuerKey
    case chainMustBeValidAtDACNotBefore
    case notBeforeMustBeWithinIssuerValidity
    case dacMustBeValidNow
    // Issuance policy (what matter-ca itself issues; stricter than what the SDK accepts)
    case serialNumberMustBePositiveAndAtMost20Bytes
    case serialNumberMustHaveAtLeast8Bytes
    case cdpMustBeSingleHTTPURI
    case publicKeyMustBeUncompressed
    case validityMustNestWithinIssuer
}

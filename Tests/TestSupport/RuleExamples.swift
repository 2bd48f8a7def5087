import MatterPKI

/// For every rule of the profile, a one-point mutation of a valid chain that breaks it, and the certificate
/// it lands on. Used by the lint tests (the violation is reported under that rule's name) and by the builder
/// tests (lint-before-sign refuses it and the signer is never called).
public enum RuleExamples {
    public struct Example: Sendable {
        public let rule: MatterRule
        public let mutation: String
        public let target: CertificateType
        /// Only visible on a signed certificate or a whole chain, so not a lint-before-sign case.
        public let needsSignedChain: Bool
    }

    public static let all: [Example] = [
        .init(rule: .versionMustBeV3, mutation: "dac.version.v2", target: .dac, needsSignedChain: false),
        .init(rule: .signatureAlgorithmMustBeECDSAWithSHA256, mutation: "pai.sigalg.ecdsa-with-SHA1", target: .pai, needsSignedChain: false),
        .init(rule: .signatureAlgorithmFieldsMustMatch, mutation: "dac.sigalg.inner-sha384", target: .dac, needsSignedChain: true),
        .init(rule: .publicKeyMustBeP256, mutation: "dac.key.P-384", target: .dac, needsSignedChain: false),
        .init(rule: .publicKeyMustBeUncompressed, mutation: "dac.key.P-256-compressed", target: .dac, needsSignedChain: false),
        .init(rule: .issuerNameMustNotBeEmpty, mutation: "dac.issuer.empty", target: .dac, needsSignedChain: false),
        .init(rule: .subjectNameMustNotBeEmpty, mutation: "dac.subject.empty", target: .dac, needsSignedChain: false),
        .init(rule: .validityMustNotBeEmpty, mutation: "dac.notAfter-before-notBefore", target: .dac, needsSignedChain: false),
        .init(rule: .extensionMustNotRepeat, mutation: "pai.ku.duplicated", target: .pai, needsSignedChain: false),
        .init(rule: .extensionMustBeWellFormed, mutation: "dac.bc.malformed", target: .dac, needsSignedChain: false),
        .init(rule: .criticalExtensionMustBeUnderstood, mutation: "dac.add.authorityInfoAccess.critical", target: .dac, needsSignedChain: false),
        .init(rule: .basicConstraintsMustBePresent, mutation: "pai.bc.missing", target: .pai, needsSignedChain: false),
        .init(rule: .basicConstraintsMustBeCritical, mutation: "dac.bc.critical-flipped", target: .dac, needsSignedChain: false),
        .init(rule: .dacMustNotBeCA, mutation: "dac.bc.ca=true.pathlen=absent", target: .dac, needsSignedChain: false),
        .init(rule: .caMustBeCA, mutation: "pai.bc.ca=false.pathlen=absent", target: .pai, needsSignedChain: false),
        .init(rule: .paaPathLengthMustBeAbsentOrOne, mutation: "paa.bc.ca=true.pathlen=2", target: .paa, needsSignedChain: false),
        .init(rule: .paiPathLengthMustBeZero, mutation: "pai.bc.ca=true.pathlen=1", target: .pai, needsSignedChain: false),
        .init(rule: .dacPathLengthMustBeAbsent, mutation: "dac.bc.ca=false.pathlen=0", target: .dac, needsSignedChain: false),
        .init(rule: .keyUsageMustBePresent, mutation: "dac.ku.missing", target: .dac, needsSignedChain: false),
        .init(rule: .keyUsageMustBeCritical, mutation: "pai.ku.critical-flipped", target: .pai, needsSignedChain: false),
        .init(rule: .dacKeyUsageMustBeDigitalSignatureOnly, mutation: "dac.ku=digitalSignature+keyEncipherment", target: .dac, needsSignedChain: false),
        .init(rule: .caKeyUsageMustIncludeKeyCertSignAndCRLSign, mutation: "pai.ku=keyCertSign", target: .pai, needsSignedChain: false),
        .init(rule: .caKeyUsageMustNotHaveOtherBits, mutation: "paa.ku=keyCertSign+cRLSign+keyEncipherment", target: .paa, needsSignedChain: false),
        .init(rule: .subjectKeyIdentifierMustBePresent, mutation: "dac.skid.missing", target: .dac, needsSignedChain: false),
        .init(rule: .subjectKeyIdentifierMustNotBeCritical, mutation: "pai.skid.critical-flipped", target: .pai, needsSignedChain: false),
        .init(rule: .subjectKeyIdentifierMustBe20Bytes, mutation: "dac.skid.19-bytes", target: .dac, needsSignedChain: false),
        .init(rule: .authorityKeyIdentifierMustBePresent, mutation: "dac.akid.missing", target: .dac, needsSignedChain: false),
        .init(rule: .authorityKeyIdentifierMustNotBeCritical, mutation: "dac.akid.critical-flipped", target: .dac, needsSignedChain: false),
        .init(rule: .authorityKeyIdentifierMustBe20Bytes, mutation: "pai.akid.21-bytes", target: .pai, needsSignedChain: false),
        .init(rule: .paaMustBeSelfIssued, mutation: "paa.issuer.differs-from-subject", target: .paa, needsSignedChain: false),
        .init(rule: .vidPidEncodingMustBeValid, mutation: "dac.vid.lowercase", target: .dac, needsSignedChain: false),
        .init(rule: .dacMustHaveVID, mutation: "dac.vid.absent", target: .dac, needsSignedChain: false),
        .init(rule: .dacMustHavePID, mutation: "dac.pid.absent", target: .dac, needsSignedChain: false),
        .init(rule: .paiMustHaveVID, mutation: "pai.vid.absent", target: .pai, needsSignedChain: false),
        .init(rule: .paaMustNotHavePID, mutation: "paa.pid.present", target: .paa, needsSignedChain: false),
        .init(rule: .dacVIDMustMatchPAI, mutation: "dac.vid.other", target: .dac, needsSignedChain: false),
        .init(rule: .dacPIDMustMatchPAI, mutation: "pai.pid.other", target: .dac, needsSignedChain: false),
        .init(rule: .paiVIDMustMatchPAA, mutation: "paa.vid.other-than-pai", target: .pai, needsSignedChain: false),
        .init(rule: .issuerNameMustMatchIssuerSubject, mutation: "dac.issuer.cn-changed", target: .dac, needsSignedChain: false),
        .init(rule: .authorityKeyIdentifierMustMatchIssuerSKID, mutation: "dac.akid.other-20-bytes", target: .dac, needsSignedChain: false),
        .init(rule: .signatureMustVerifyWithIssuerKey, mutation: "dac.signature.corrupted", target: .dac, needsSignedChain: true),
        .init(rule: .notBeforeMustBeWithinIssuerValidity, mutation: "pai.notBefore-before-paa", target: .pai, needsSignedChain: false),
        .init(rule: .chainMustBeValidAtDACNotBefore, mutation: "pai.expired-before-dac-issued", target: .pai, needsSignedChain: true),
        .init(rule: .dacMustBeValidNow, mutation: "dac.expired", target: .dac, needsSignedChain: true),
        .init(rule: .serialNumberMustBePositiveAndAtMost20Bytes, mutation: "dac.serial.21-bytes", target: .dac, needsSignedChain: false),
        .init(rule: .serialNumberMustHaveAtLeast8Bytes, mutation: "dac.serial.4-bytes", target: .dac, needsSignedChain: false),
        .init(rule: .validityMustNestWithinIssuer, mutation: "all.bounded-lifetimes-dac-outlives-pai", target: .dac, needsSignedChain: false),
        .init(rule: .cdpMustBeSingleHTTPURI, mutation: "pai.add.cRLDistributionPoints.ldap", target: .pai, needsSignedChain: false),
    ]

    /// A valid chain (fixed options: PAA with VID, PAI with PID, attributes) with the example's mutation applied.
    public static func chain(for example: Example) -> ForgedChain {
        var o = ForgedChain.Options()
        o.paaHasVID = true
        o.paiHasPID = true
        var c = ForgedChain(o)
        let m = ChainMutations.all().first { $0.name == example.mutation }!
        m.apply(&c)
        return c
    }
}

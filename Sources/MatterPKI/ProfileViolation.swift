/// Which certificate of the chain a rule is applied to.
public enum CertificateType: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case paa, pai, dac
    /// A delegated CRL signer (matter-revocation.md §1; DCL `VerifyCRLSignerCertFormat`): signs CRLs for the PAA or
    /// PAI that issued it, never certificates.
    case crlSigner = "crl-signer"
    public var description: String { self == .crlSigner ? "CRL signer" : rawValue.uppercased() }
}

/// One broken rule: which, on which certificate, and what was found.
public struct ProfileViolation: Error, Hashable, Sendable, CustomStringConvertible, Codable {
    public let rule: MatterRule
    public let certificate: CertificateType
    public let detail: String

    public init(_ rule: MatterRule, _ certificate: CertificateType, _ detail: String) {
        self.rule = rule; self.certificate = certificate; self.detail = detail
    }
    public var description: String { "\(certificate): \(rule.rawValue): \(detail)" }
}

/// Thrown when a certificate breaks the profile; carries every violation found, not just the first.
public struct ProfileViolations: Error, Sendable, CustomStringConvertible {
    public let violations: [ProfileViolation]
    public init(_ violations: [ProfileViolation]) { self.violations = violations }
    public var rules: Set<MatterRule> { Set(violations.map(\.rule)) }
    public var description: String { violations.map(\.description).joined(separator: "\n") }
}

/// A rule of the profile as data: what it requires, where the requirement comes from, which certificates it
/// applies to, and the check. Checks return one detail string per violation found (empty = satisfied).
public struct CertificateRule: Sendable {
    public let id: MatterRule
    public let appliesTo: Set<CertificateType>
    public let requirement: String
    public let source: String
    /// Issuance rules are applied to what matter-ca signs, not to third-party certificates it verifies.
    public let issuanceOnly: Bool
    let check: @Sendable (CertificateFacts) -> [String]

    init(_ id: MatterRule, _ appliesTo: Set<CertificateType>, _ requirement: String, source: String,
         issuanceOnly: Bool = false, check: @escaping @Sendable (CertificateFacts) -> [String]) {
        self.id = id; self.appliesTo = appliesTo; self.requirement = requirement; self.source = source
        self.issuanceOnly = issuanceOnly; self.check = check
    }
}

/// A rule between a certificate and its issuer (DAC→PAI, PAI→PAA).
public struct IssuerRule: Sendable {
    public let id: MatterRule
    public let requirement: String
    public let source: String
    public let issuanceOnly: Bool
    let check: @Sendable (_ child: CertificateFacts, _ issuer: CertificateFacts) -> [String]

    init(_ id: MatterRule, _ requirement: String, source: String, issuanceOnly: Bool = false,
         check: @escaping @Sendable (CertificateFacts, CertificateFacts) -> [String]) {
        self.id = id; self.requirement = requirement; self.source = source; self.issuanceOnly = issuanceOnly; self.check = check
    }
}

/// A rule over the whole PAA → PAI → DAC chain at a point in time.
public struct ChainRule: Sendable {
    public let id: MatterRule
    public let requirement: String
    public let source: String
    let check: @Sendable (_ paa: CertificateFacts, _ pai: CertificateFacts, _ dac: CertificateFacts, _ now: Int64)
        -> [(CertificateType, String)]
}

/// `[]` when `ok`, else one detail.
@inline(__always) func unless(_ ok: Bool, _ detail: @autoclosure () -> String) -> [String] { ok ? [] : [detail()] }

let allTypes: Set<CertificateType> = [.paa, .pai, .dac, .crlSigner]
let caTypes: Set<CertificateType> = [.paa, .pai]

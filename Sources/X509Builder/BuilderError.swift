import MatterPKI

public enum BuilderError: Error, CustomStringConvertible {
    /// The to-be-signed certificate breaks the Matter profile; the signer was not called.
    case profileViolations(ProfileViolations)
    /// The signer's key is not the issuer certificate's key (or, self-signed, not the subject key).
    case signerDoesNotMatchIssuer(String)
    case serialLengthOutOfRange(Int)
    case invalidCRLDistributionPointURI(String)
    case encodingFailed(String)

    public var description: String {
        switch self {
        case .profileViolations(let v): return "refused before signing, the certificate breaks the Matter profile:\n\(v)"
        case .signerDoesNotMatchIssuer(let d): return "signer does not match the issuer: \(d)"
        case .serialLengthOutOfRange(let n): return "serial length \(n) is outside \(SerialNumber.allowedLengths)"
        case .invalidCRLDistributionPointURI(let u): return "CRL distribution point \"\(u)\" is not an http:// or https:// URI"
        case .encodingFailed(let r): return "certificate encoding failed: \(r)"
        }
    }

    /// The violated rules, for callers and tests that branch on them.
    public var violatedRules: Set<MatterRule> {
        if case .profileViolations(let v) = self { return v.rules }
        return []
    }
}

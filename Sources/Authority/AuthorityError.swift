import Foundation
import Signing

public enum AuthorityError: Error, CustomStringConvertible {
    case homeExists(String)
    case notInitialized(String)
    case wrongPIN
    case tokenProblem(String)
    case unknownAuthority(String, type: String)
    case ambiguousAuthority(String, [String])
    case vidMismatch(paaVID: String, requested: String)
    case refused(String)

    public var description: String {
        switch self {
        case .homeExists(let p): return "\(p) already holds an authority; refusing to overwrite it"
        case .notInitialized(let p): return "\(p) holds no authority (run matter-ca init)"
        case .wrongPIN: return "the token refused the PIN (CKR_PIN_INCORRECT)"
        case .tokenProblem(let d): return d
        case .unknownAuthority(let k, let t): return "no \(t.uppercased()) with SKID or name \"\(k)\" in the ledger"
        case .ambiguousAuthority(let k, let skids): return "\"\(k)\" names several authorities (\(skids.joined(separator: ", "))); give the SKID"
        case .vidMismatch(let a, let r): return "the PAA is scoped to VID \(a); a PAI for VID \(r) would not verify (kPaiVendorIdMismatch)"
        case .refused(let d): return d
        }
    }

    /// Maps token errors to what an operator can act on.
    static func from(_ error: Error) -> Error {
        if let e = error as? PKCS11Error, e.rv == 0xA0 { return AuthorityError.wrongPIN }
        if let e = error as? PKCS11Error { return AuthorityError.tokenProblem("token: \(e)") }
        if let e = error as? PKCS11LoadError { return AuthorityError.tokenProblem(e.description) }
        return error
    }
}

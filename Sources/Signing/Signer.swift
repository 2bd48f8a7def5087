import Crypto

/// Something that holds a P-256 CA private key and signs SHA-256 digests with it: a PKCS#11 token key in
/// production, a software key in tests and development. The key itself is never exposed.
public protocol Signer: Sendable {
    var publicKey: P256.Signing.PublicKey { get }
    /// Where the key lives, for transcripts and errors (never key material).
    var keyDescription: String { get }
    /// Signs a SHA-256 digest computed by the caller; returns a DER `Ecdsa-Sig-Value`.
    func sign(digest: SHA256Digest) throws -> [UInt8]
}

public enum SignerError: Error, CustomStringConvertible, Equatable {
    case unsupportedAlgorithm(String)
    case keyNotExportable
    case signingFailed(String)

    public var description: String {
        switch self {
        case .unsupportedAlgorithm(let a): return "signer supports ecdsa-with-SHA256 only, asked for \(a)"
        case .keyNotExportable: return "CA private keys cannot be serialized or exported"
        case .signingFailed(let r): return "signing failed: \(r)"
        }
    }
}

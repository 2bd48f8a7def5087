import Crypto
import Foundation

/// Something that holds a P-256 CA private key and signs SHA-256 digests with it: a PKCS#11 token key in
/// production, a software key in tests and development. The key itself is never exposed.
public protocol Signer: Sendable {
    var publicKey: P256.Signing.PublicKey { get }
    /// Where the key lives, for transcripts and errors (never key material).
    var keyDescription: String { get }
    /// Signs a SHA-256 digest computed by the caller; returns a DER `Ecdsa-Sig-Value`.
    func sign(digest: SHA256Digest) throws -> [UInt8]
    /// Whether `signChecked` verifies this signer's output before it is used. True for anything outside the
    /// process (an HSM can fail or be faulted); the in-process development signer opts out.
    var outputNeedsCheck: Bool { get }
}

extension Signer {
    public var outputNeedsCheck: Bool { true }

    /// The one signing primitive for certificates and CRLs: `lint` sees the exact to-be-signed bytes and may refuse
    /// them (then the key is never used); the signature is verified with the signer's public key before it is
    /// returned, so a faulty token cannot put a bad signature into the ledger (Go's x509 does the same).
    public func signChecked(_ tbs: [UInt8], lint: ([UInt8]) throws -> Void) throws -> [UInt8] {
        try lint(tbs)
        let digest = SHA256.hash(data: tbs)
        let der = try sign(digest: digest)
        if outputNeedsCheck {
            guard let sig = try? P256.Signing.ECDSASignature(derRepresentation: der), publicKey.isValidSignature(sig, for: digest) else {
                throw SignerError.signatureDidNotVerify(keyDescription)
            }
        }
        return der
    }
}

public enum SignerError: Error, CustomStringConvertible, Equatable {
    case unsupportedAlgorithm(String)
    case keyNotExportable
    case signingFailed(String)
    /// The signer returned a signature its own public key does not verify: nothing was recorded or delivered.
    case signatureDidNotVerify(String)

    public var description: String {
        switch self {
        case .unsupportedAlgorithm(let a): return "signer supports ecdsa-with-SHA256 only, asked for \(a)"
        case .keyNotExportable: return "CA private keys cannot be serialized or exported"
        case .signingFailed(let r): return "signing failed: \(r)"
        case .signatureDidNotVerify(let k): return "the signature returned by \(k) does not verify with its public key; nothing was issued"
        }
    }
}

/// A token signer whose output is verified on a sample: the first signature and then one in `every`. DAC batches
/// use it, where checking each of 100,000 signatures would cost a fifth of the batch (measured in the bench), while a
/// token that returns bad signatures does so systematically and is caught within one chunk, before its chunk is
/// committed. Every other signature (CA certificates, CRLs, single DACs) is checked.
public struct SpotCheckedSigner: Signer {
    public let base: any Signer
    public let every: Int
    private let counter = SpotCounter()
    public init(_ base: any Signer, every: Int) { self.base = base; self.every = max(1, every) }
    public var publicKey: P256.Signing.PublicKey { base.publicKey }
    public var keyDescription: String { base.keyDescription }
    public func sign(digest: SHA256Digest) throws -> [UInt8] { try base.sign(digest: digest) }
    public var outputNeedsCheck: Bool { base.outputNeedsCheck && counter.next() % every == 0 }
}

final class SpotCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int { lock.withLock { defer { n += 1 }; return n } }
}

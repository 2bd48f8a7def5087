import Crypto
import Foundation

/// A P-256 key held in process memory. For tests and development only: CA keys in production live in a
/// PKCS#11 token. Its description says so wherever it appears.
public struct SoftwareSigner: Signer {
    public let privateKey: P256.Signing.PrivateKey
    public var publicKey: P256.Signing.PublicKey { privateKey.publicKey }
    public var keyDescription: String { "software key (DEVELOPMENT ONLY, not for production CAs)" }
    /// In-process BoringSSL signing: the post-sign check guards against tokens, not this (measured in the bench).
    public var outputNeedsCheck: Bool { checkOutput }
    let checkOutput: Bool

    public init(privateKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey(), checkOutput: Bool = false) {
        self.privateKey = privateKey
        self.checkOutput = checkOutput
    }

    public func sign(digest: SHA256Digest) throws -> [UInt8] {
        Array(try privateKey.signature(for: digest).derRepresentation)
    }
}

import Crypto
import Foundation
import Signing

/// Wraps a signer and counts how often it is asked to sign: lint-before-sign tests assert it stays at zero.
public final class CountingSigner: Signer, @unchecked Sendable {
    let inner: SoftwareSigner
    let lock = NSLock()
    var count = 0
    public init(_ inner: SoftwareSigner = SoftwareSigner()) { self.inner = inner }
    public var calls: Int { lock.withLock { count } }
    public var publicKey: P256.Signing.PublicKey { inner.publicKey }
    public var keyDescription: String { "counting " + inner.keyDescription }
    public func sign(digest: SHA256Digest) throws -> [UInt8] {
        lock.withLock { count += 1 }
        return try inner.sign(digest: digest)
    }
}

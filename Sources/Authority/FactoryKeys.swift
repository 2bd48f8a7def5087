import Crypto
import Custody
import Foundation

/// Device keys generated for a factory batch. swift-crypto's `P256.Signing.PrivateKey()` runs BoringSSL's FIPS
/// key generation, whose pairwise consistency test (a signature made and verified with every new key) cost 78 µs of
/// the 88 µs a key took (12.8 k/s against 106 k/s, `matter-ca-bench 1 batch-profile`), the largest single cost of a
/// generated batch after the PAI signature. Here the scalar is drawn the way BoringSSL draws it (rejection sampling
/// of 32 bytes from the system CSPRNG, getrandom, until it is in [1, n-1]) and the public key is derived from it by
/// the same library, so the pair is consistent by construction. The pairwise test still runs on the first key of
/// every chunk, so a library or hardware fault that broke key derivation would stop the batch before a single
/// certificate is signed for a mismatched key.
public enum FactoryKeys {
    struct InconsistentKey: Error, CustomStringConvertible {
        var description: String { "a generated device key failed its pairwise consistency test (sign and verify); nothing was signed for it" }
    }

    /// `count` fresh keys, generated on every core; the first one is tested pairwise.
    static func generate(_ count: Int) throws -> [P256.Signing.PrivateKey] {
        let keys = Parallel.map(Array(0..<count)) { _ in key() }
        if let first = keys.first { try pairwiseTest(first) }
        return keys
    }

    /// One key: a uniform scalar in [1, n-1] (a draw outside the range, probability about 2^-32, is drawn again).
    public static func key() -> P256.Signing.PrivateKey {
        var rng = SystemRandomNumberGenerator()
        while true {
            var scalar = [UInt8](repeating: 0, count: 32)
            for i in stride(from: 0, to: 32, by: 8) {
                withUnsafeBytes(of: rng.next() as UInt64) { scalar.replaceSubrange(i..<i + 8, with: $0) }
            }
            defer { wipe(&scalar) }
            // Zero or at least the group order is refused by the library: draw again (rejection sampling, unbiased).
            if let key = try? P256.Signing.PrivateKey(rawRepresentation: scalar) { return key }
        }
    }

    /// The FIPS pairwise consistency test: a signature by the private key verifies under its public key.
    static func pairwiseTest(_ key: P256.Signing.PrivateKey) throws {
        let message = Array("matter-ca factory key pairwise test".utf8)
        guard let signature = try? key.signature(for: message), key.publicKey.isValidSignature(signature, for: message) else {
            throw InconsistentKey()
        }
    }
}

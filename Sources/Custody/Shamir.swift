/// Shamir secret sharing over GF(256), byte by byte: byte k of the secret is the constant term of its own
/// random polynomial of degree threshold − 1, and share x holds every polynomial evaluated at x.
/// Parameters are validated by the callers in `SecretSharing`; this layer only does the arithmetic.
enum Shamir {
    /// Shares at x = 1…count. The coefficients are uniform bytes, zero included: forcing a nonzero
    /// leading coefficient would bias the distribution that makes threshold − 1 shares reveal nothing.
    static func split(
        _ secret: [UInt8], threshold: Int, count: Int, using rng: inout some RandomNumberGenerator
    ) -> [(x: UInt8, y: [UInt8])] {
        let degree = threshold - 1
        // Coefficient j (1…degree) of byte k's polynomial sits at k * degree + (j − 1).
        var coefficients = randomBytes(secret.count * degree, using: &rng)
        defer { wipe(&coefficients) }
        return (1...count).map { index in
            let x = UInt8(index)
            var y = [UInt8](repeating: 0, count: secret.count)
            for k in 0..<secret.count {
                // Horner's rule from the highest coefficient down to the secret byte.
                var acc: UInt8 = 0
                for j in stride(from: degree, through: 1, by: -1) {
                    acc = GF256.mul(acc, x) ^ coefficients[k * degree + (j - 1)]
                }
                y[k] = GF256.mul(acc, x) ^ secret[k]
            }
            return (x, y)
        }
    }

    /// Lagrange interpolation at 0. The x's are distinct and nonzero (checked by the caller) and public,
    /// so only the y's are secret; the basis coefficients depend on the x's alone.
    static func combine(_ points: [(x: UInt8, y: [UInt8])]) -> [UInt8] {
        let length = points.first?.y.count ?? 0
        var secret = [UInt8](repeating: 0, count: length)
        for (i, p) in points.enumerated() {
            // L_i(0) = Π_{j≠i} x_j / (x_j − x_i)
            var numerator: UInt8 = 1, denominator: UInt8 = 1
            for (j, q) in points.enumerated() where j != i {
                numerator = GF256.mul(numerator, q.x)
                denominator = GF256.mul(denominator, q.x ^ p.x)
            }
            let basis = GF256.div(numerator, denominator)
            for k in 0..<length {
                secret[k] ^= GF256.mul(basis, p.y[k])
            }
        }
        return secret
    }

    /// Bytes in a fixed order (little-endian within each 64-bit draw) so a scripted generator in the
    /// tests yields known coefficients.
    static func randomBytes(_ count: Int, using rng: inout some RandomNumberGenerator) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            var word = rng.next()
            for _ in 0..<8 where out.count < count {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
            word = 0
        }
        return out
    }
}

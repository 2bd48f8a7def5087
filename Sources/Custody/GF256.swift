/// Arithmetic in GF(2^8) modulo the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11B).
///
/// Every operation runs the same instructions whatever the operands: no log/exp tables (their cache
/// footprint depends on the secret byte) and no branch on a secret bit; a bit is turned into an
/// all-ones or all-zeros mask instead.
enum GF256 {
    /// Addition and subtraction are both XOR in characteristic 2.
    @inline(__always)
    static func add(_ a: UInt8, _ b: UInt8) -> UInt8 { a ^ b }

    /// Russian-peasant multiplication, eight fixed rounds.
    static func mul(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a, b = b, p: UInt8 = 0
        for _ in 0..<8 {
            p ^= a & (0 &- (b & 1))          // add a when the low bit of b is set
            let carry = a >> 7
            a = (a << 1) ^ (0x1B & (0 &- carry)) // multiply by x, reduce when x^8 appears
            b >>= 1
        }
        return p
    }

    /// a^254 = a^-1 for a ≠ 0 (the multiplicative group has order 255); 0 maps to 0.
    /// A fixed addition chain, so the timing does not depend on a.
    static func inverse(_ a: UInt8) -> UInt8 {
        let a2 = mul(a, a)          // a^2
        let a3 = mul(a2, a)         // a^3
        let a6 = mul(a3, a3)        // a^6
        let a12 = mul(a6, a6)       // a^12
        let a15 = mul(a12, a3)      // a^15
        let a30 = mul(a15, a15)     // a^30
        let a60 = mul(a30, a30)     // a^60
        let a120 = mul(a60, a60)    // a^120
        let a126 = mul(a120, a6)    // a^126
        let a252 = mul(a126, a126)  // a^252
        return mul(a252, a2)        // a^254
    }

    static func div(_ a: UInt8, _ b: UInt8) -> UInt8 { mul(a, inverse(b)) }
}

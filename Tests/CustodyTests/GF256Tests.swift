@testable import Custody
import Testing

/// Schoolbook reference: carry-less product, then reduction by 0x11B from the top bit down.
private func referenceMul(_ a: UInt8, _ b: UInt8) -> UInt8 {
    var product: UInt16 = 0
    for i in 0..<8 where (b >> i) & 1 == 1 { product ^= UInt16(a) << i }
    for bit in stride(from: 14, through: 8, by: -1) where (product >> bit) & 1 == 1 {
        product ^= 0x11B << (bit - 8)
    }
    return UInt8(product)
}

@Suite struct GF256Tests {
    @Test("FIPS-197 §4.2 known answers")
    func fipsVectors() {
        #expect(GF256.mul(0x57, 0x83) == 0xC1)
        #expect(GF256.mul(0x57, 0x13) == 0xFE)
        // §4.2.1 xtime chain: 57·02 = ae, ·04 = 47, ·08 = 8e, ·10 = 07.
        #expect(GF256.mul(0x57, 0x02) == 0xAE)
        #expect(GF256.mul(0x57, 0x04) == 0x47)
        #expect(GF256.mul(0x57, 0x08) == 0x8E)
        #expect(GF256.mul(0x57, 0x10) == 0x07)
        // The textbook Rijndael-field inverse pair: {53}·{CA} = {01}.
        #expect(GF256.inverse(0x53) == 0xCA)
    }

    @Test("Multiplication agrees with the schoolbook reference on all 65,536 pairs")
    func fullTable() {
        var mismatches = 0
        for a in 0...255 {
            for b in 0...255 where GF256.mul(UInt8(a), UInt8(b)) != referenceMul(UInt8(a), UInt8(b)) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    @Test("a · a⁻¹ = 1 for all 255 nonzero a; 0 maps to 0; division undoes multiplication")
    func inverses() {
        for a in 1...255 {
            let a = UInt8(a)
            #expect(GF256.mul(a, GF256.inverse(a)) == 1, "a = \(a)")
            #expect(GF256.div(GF256.mul(a, 0x9D), a) == 0x9D)
        }
        #expect(GF256.inverse(0) == 0)
    }

    @Test("Field laws on a sample: commutative, associative, distributive over XOR")
    func laws() {
        var rng = SeededRNG(state: 7)
        for _ in 0..<2000 {
            let a = UInt8.random(in: 0...255, using: &rng), b = UInt8.random(in: 0...255, using: &rng)
            let c = UInt8.random(in: 0...255, using: &rng)
            #expect(GF256.mul(a, b) == GF256.mul(b, a))
            #expect(GF256.mul(GF256.mul(a, b), c) == GF256.mul(a, GF256.mul(b, c)))
            #expect(GF256.mul(a, b ^ c) == GF256.mul(a, b) ^ GF256.mul(a, c))
        }
    }
}

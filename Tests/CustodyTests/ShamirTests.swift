@testable import Custody
import Testing

@Suite struct ShamirTests {
    /// Secret 53 CA, M = 2, coefficients 83 (byte 0) and 13 (byte 1): f0(x) = 53 + 83·x, f1(x) = CA + 13·x.
    /// By hand: 2·83 = 1D (0x106 reduced by 0x11B), 3·83 = 1D⊕83 = 9E; 2·13 = 26, 3·13 = 35.
    ///   x=1: 53⊕83 = D0, CA⊕13 = D9;  x=2: 53⊕1D = 4E, CA⊕26 = EC;  x=3: 53⊕9E = CD, CA⊕35 = FF.
    @Test("Hand-computed vector: 2-byte secret, M=2, N=3, fixed coefficients")
    func handVector() {
        var rng = ScriptedRNG(bytes: [0x83, 0x13])
        let shares = Shamir.split([0x53, 0xCA], threshold: 2, count: 3, using: &rng)
        #expect(shares.map(\.x) == [1, 2, 3])
        #expect(shares[0].y == [0xD0, 0xD9])
        #expect(shares[1].y == [0x4E, 0xEC])
        #expect(shares[2].y == [0xCD, 0xFF])
        // Lagrange at 0 from x=2,3: L2 = 3/(2⊕3) = 3, L3 = 2/(3⊕2) = 2; 3·4E ⊕ 2·CD = D2 ⊕ 81 = 53.
        #expect(Shamir.combine([shares[1], shares[2]]) == [0x53, 0xCA])
        #expect(Shamir.combine([shares[2], shares[0]]) == [0x53, 0xCA])
    }

    @Test("Random bytes come out in the documented order (little-endian within each draw)")
    func randomByteOrder() {
        var rng = ScriptedRNG(bytes: Array(1...10))
        #expect(Shamir.randomBytes(10, using: &rng) == Array(1...10))
    }

    @Test("Every M-subset reconstructs; every (M−1)-subset is refused as too few",
          arguments: [(3, 5), (2, 3), (2, 2), (4, 4), (2, 6), (5, 7), (1, 1), (6, 8)])
    func allSubsets(threshold m: Int, count n: Int) throws {
        var rng = SeededRNG(state: UInt64(m * 1000 + n))
        let secret = Array("12345678".utf8)
        let shares = try SecretSharing.split(secret, threshold: m, count: n, using: &rng).map(\.encoded)
        for subset in combinations(n, m) {
            #expect(try SecretSharing.combine(subset.map { shares[$0] }) == secret, "subset \(subset)")
            // Any order, too.
            #expect(try SecretSharing.combine(subset.reversed().map { shares[$0] }) == secret)
        }
        guard m > 1 else { return }
        for subset in combinations(n, m - 1) {
            #expect(throws: CustodyError.tooFewShares(given: m - 1, needed: m)) {
                try SecretSharing.combine(subset.map { shares[$0] })
            }
        }
    }

    @Test("Below the quorum the raw interpolation does not give the secret back")
    func belowQuorumRaw() {
        var rng = SeededRNG(state: 99)
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let points = Shamir.split(secret, threshold: 3, count: 5, using: &rng)
        for subset in combinations(5, 2) {
            #expect(Shamir.combine(subset.map { points[$0] }) != secret)
        }
    }

    @Test("Property: 200 random secrets × random (M, N) × random subsets of at least M shares")
    func property() throws {
        var rng = SeededRNG(state: 0xC0FFEE)
        for round in 0..<200 {
            let length = Int.random(in: 1...64, using: &rng)
            let secret = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let n = Int.random(in: 1...20, using: &rng)
            let m = n == 1 ? 1 : Int.random(in: 2...n, using: &rng)
            // Alternate the production generator and the seeded one.
            let shares = round % 2 == 0
                ? try SecretSharing.split(secret, threshold: m, count: n)
                : try SecretSharing.split(secret, threshold: m, count: n, using: &rng)
            #expect(shares.count == n && shares.allSatisfy { $0.threshold == m })
            let take = round % 4 == 3 ? Int.random(in: m...n, using: &rng) : m
            let chosen = Array(shares.shuffled(using: &rng).prefix(take))
            #expect(try SecretSharing.combine(chosen.map(\.encoded)) == secret, "round \(round): M=\(m) N=\(n)")
            #expect(try SecretSharing.combine(chosen) == secret)
        }
    }

    @Test("Splits of the same secret differ (fresh set ID, salt and coefficients each time)")
    func freshness() throws {
        let a = try SecretSharing.split([1, 2, 3], threshold: 2, count: 3)
        let b = try SecretSharing.split([1, 2, 3], threshold: 2, count: 3)
        #expect(a[0].setID != b[0].setID)
        #expect(a[0].encoded != b[0].encoded)
    }
}

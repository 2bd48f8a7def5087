import Crypto
@testable import Custody

/// Yields the given bytes in order (packed little-endian, 8 per draw), then zeros: makes the set ID,
/// salt and coefficients of a split known in advance.
struct ScriptedRNG: RandomNumberGenerator {
    var bytes: [UInt8]
    mutating func next() -> UInt64 {
        var word: UInt64 = 0
        for i in 0..<8 where !bytes.isEmpty {
            word |= UInt64(bytes.removeFirst()) << (8 * UInt64(i))
        }
        return word
    }
}

/// SplitMix64: reproducible randomness for the property tests (the seed is in the test).
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

func bytes(hex: some StringProtocol) -> [UInt8] {
    let chars = Array(hex)
    return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(chars[$0...$0 + 1]), radix: 16)! }
}

/// The dash-separated fields of an encoded share.
func fields(_ encoded: String) -> [String] { encoded.split(separator: "-", omittingEmptySubsequences: false).map(String.init) }

/// Rebuilds a share's text from fields with a freshly computed check code, as a forger would: the
/// independent implementation of the format's check (first 4 bytes of SHA-256 over the text before it).
func reencode(_ f: [String]) -> String {
    let body = f[0..<8].joined(separator: "-")
    return body + "-" + hex(Array(SHA256.hash(data: Array(body.utf8)).prefix(4)))
}

/// All k-element subsets of 0..<n, in lexicographic order.
func combinations(_ n: Int, _ k: Int) -> [[Int]] {
    guard k > 0 else { return [[]] }
    guard k <= n else { return [] }
    var result: [[Int]] = []
    var current: [Int] = []
    func walk(_ start: Int) {
        if current.count == k { result.append(current); return }
        for i in start..<n where n - i >= k - current.count {
            current.append(i); walk(i + 1); current.removeLast()
        }
    }
    walk(0)
    return result
}

/// Hex for share payloads without secret-dependent branches or table lookups: each nibble and each
/// character is mapped with masks, and invalid characters are accumulated into a flag instead of
/// returning early at the first bad one.
enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        var chars = [UInt8]()
        chars.reserveCapacity(bytes.count * 2)
        for b in bytes {
            chars.append(digit(b >> 4))
            chars.append(digit(b & 0x0F))
        }
        defer { wipe(&chars) }
        return String(decoding: chars, as: UTF8.self)
    }

    /// Lowercase digits only (callers lowercase first); nil when the length is odd or a character is not hex.
    static func decode(_ text: Substring) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        defer { wipe(&utf8) }
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: utf8.count / 2)
        var invalid: Int32 = 0
        for i in 0..<out.count {
            let (hi, badHi) = nibble(utf8[2 * i])
            let (lo, badLo) = nibble(utf8[2 * i + 1])
            invalid |= badHi | badLo
            out[i] = (hi << 4) | lo
        }
        guard invalid == 0 else { wipe(&out); return nil }
        return out
    }

    /// '0'…'9' then 'a'…'f': adds 39 more when n > 9, using the sign of 9 − n as the mask.
    @inline(__always)
    private static func digit(_ n: UInt8) -> UInt8 {
        let v = Int32(n)
        return UInt8(truncatingIfNeeded: v + 48 + (((9 - v) >> 31) & 39))
    }

    /// The nibble value and a nonzero flag when `c` is not in [0-9a-f].
    @inline(__always)
    private static func nibble(_ c: UInt8) -> (UInt8, Int32) {
        let v = Int32(c)
        let d = v - 48, l = v - 97
        let isDigit = ~((d | (9 - d)) >> 31)      // all ones when 0 ≤ d ≤ 9
        let isLetter = ~((l | (5 - l)) >> 31)     // all ones when 0 ≤ l ≤ 5
        let value = (d & isDigit) | ((l + 10) & isLetter)
        return (UInt8(truncatingIfNeeded: value), ~(isDigit | isLetter) & 1)
    }
}

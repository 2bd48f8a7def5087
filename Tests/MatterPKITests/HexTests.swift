import MatterPKI
import Testing

/// `[UInt8](hex:)` reads what it always read, through its byte-by-byte path for plain hex.
@Suite struct HexTests {
    @Test func plainAndSeparatedHexReadBack() {
        for n in [0, 1, 8, 16, 20, 65] {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255) }
            let upper = bytes.hexString
            #expect([UInt8](hex: upper) == bytes && [UInt8](hex: upper.lowercased()) == bytes)
            let colons = stride(from: 0, to: upper.count, by: 2).map { String(Array(upper)[$0..<$0 + 2]) }.joined(separator: ":")
            #expect([UInt8](hex: colons) == bytes && [UInt8](hex: colons + "\n") == bytes)
        }
        #expect([UInt8](hex: "ABC") == nil && [UInt8](hex: "A:BC") == nil && [UInt8](hex: "GG") == nil && [UInt8](hex: "0x12") == nil)
    }
}

/// A 16-bit Matter identifier: written as 4 uppercase hex digits in DNs, read leniently from operators.
public protocol MatterID16: Hashable, Sendable, Comparable, CustomStringConvertible {
    var rawValue: UInt16 { get }
    init(_ rawValue: UInt16)
}

extension MatterID16 {
    /// Parses "FFF1", "fff1" or "0xFFF1" as given by an operator (lenient on case, unlike the DN encoding).
    public init?(hex: String) {
        guard let v = parseOperatorHex16(hex) else { return nil }
        self.init(v)
    }
    /// The DN encoding: exactly 4 uppercase hex digits.
    public var hex: String { uppercaseHex4(rawValue) }
    public var description: String { "0x" + hex }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Matter Vendor ID. Test VIDs are 0xFFF1–0xFFF4.
public struct VendorID: MatterID16 {
    public let rawValue: UInt16
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }
}

/// Matter Product ID.
public struct ProductID: MatterID16 {
    public let rawValue: UInt16
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }
}

func parseOperatorHex16(_ s: String) -> UInt16? {
    var t = Substring(s)
    if t.hasPrefix("0x") || t.hasPrefix("0X") { t = t.dropFirst(2) }
    guard (1...4).contains(t.count), t.allSatisfy(\.isHexDigit) else { return nil }
    return UInt16(t, radix: 16)
}

func uppercaseHex4(_ v: UInt16) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    return String(decoding: [digits[Int(v >> 12)], digits[Int((v >> 8) & 0xF)], digits[Int((v >> 4) & 0xF)], digits[Int(v & 0xF)]], as: UTF8.self)
}

/// The SDK's `UppercaseHexToUint16` on exactly 4 bytes: digits 0-9 and A-F only.
func decodeUppercaseHex4<C: Collection>(_ bytes: C) -> UInt16? where C.Element == UInt8 {
    guard bytes.count == 4 else { return nil }
    var v: UInt16 = 0
    for b in bytes {
        let d: UInt8
        switch b {
        case 0x30...0x39: d = b - 0x30
        case 0x41...0x46: d = b - 0x41 + 10
        default: return nil
        }
        v = v << 4 | UInt16(d)
    }
    return v
}

/// ASCII hex digits only: no sign, prefix or spaces ("+FF1" is not a VID, though `Int(_:radix:)` takes it).
public func strictHexValue(_ s: some StringProtocol, digits: ClosedRange<Int>) -> Int? {
    guard digits.contains(s.utf8.count), s.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }) else {
        return nil
    }
    return Int(s, radix: 16)
}

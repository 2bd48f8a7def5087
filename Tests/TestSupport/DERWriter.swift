import Foundation
import MatterPKI
import SwiftASN1

/// Hand DER encoding for tests that need certificates the builder refuses to make.
public enum DERWriter {
    public static func tlv(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] { [tag] + length(body.count) + body }
    public static func length(_ n: Int) -> [UInt8] { DERLength.encode(n) }
    public static func seq(_ parts: [UInt8]...) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }
    public static func seq(_ parts: [[UInt8]]) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }
    public static func set(_ parts: [UInt8]...) -> [UInt8] { tlv(0x31, parts.flatMap { $0 }) }
    public static func oid(_ o: ASN1ObjectIdentifier) -> [UInt8] {
        var s = DER.Serializer()
        try! s.serialize(o)
        return s.serializedBytes
    }
    public static func integer(_ v: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var x = v
        repeat { bytes.insert(UInt8(x & 0xFF), at: 0); x >>= 8 } while x > 0
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tlv(0x02, bytes)
    }
    public static func integerBytes(_ content: [UInt8]) -> [UInt8] { tlv(0x02, content) }
    public static func boolean(_ b: Bool) -> [UInt8] { [0x01, 0x01, b ? 0xFF : 0x00] }
    public static func octets(_ b: [UInt8]) -> [UInt8] { tlv(0x04, b) }
    public static func bitString(_ b: [UInt8], unused: UInt8 = 0) -> [UInt8] { tlv(0x03, [unused] + b) }
    public static func utf8(_ s: String) -> [UInt8] { tlv(0x0C, Array(s.utf8)) }
    public static func printable(_ s: String) -> [UInt8] { tlv(0x13, Array(s.utf8)) }
    public static func context(_ n: UInt8, constructed: Bool = true, _ body: [UInt8]) -> [UInt8] {
        tlv((constructed ? 0xA0 : 0x80) | n, body)
    }

    /// UTCTime for 1950–2049, else GeneralizedTime (RFC 5280 §4.1.2.5), or forced.
    public static func time(_ date: Date, generalized: Bool? = nil) -> [UInt8] {
        let f = DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.locale = Locale(identifier: "en_US_POSIX")
        let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date).year!
        let useGeneralized = generalized ?? !(1950..<2050).contains(year)
        f.dateFormat = useGeneralized ? "yyyyMMddHHmmss'Z'" : "yyMMddHHmmss'Z'"
        return tlv(useGeneralized ? 0x18 : 0x17, Array(f.string(from: date).utf8))
    }
    public static let noExpiry: [UInt8] = tlv(0x18, Array("99991231235959Z".utf8))

    /// A Name with one attribute per RDN, in order.
    public static func name(_ attributes: [(ASN1ObjectIdentifier, [UInt8])]) -> [UInt8] {
        seq(attributes.map { set(seq(oid($0.0), $0.1)) })
    }
}

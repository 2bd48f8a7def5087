import Foundation
import SwiftASN1

/// A validity time as encoded in the certificate, kept in whole seconds since 1970 so that comparisons are exact.
public struct CertificateTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Encoding: String, Sendable { case utcTime = "UTCTime", generalizedTime = "GeneralizedTime" }
    public let secondsSince1970: Int64
    public let encoding: Encoding

    public init(secondsSince1970: Int64, encoding: Encoding) {
        self.secondsSince1970 = secondsSince1970
        self.encoding = encoding
    }
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(secondsSince1970)) }

    /// Appends the DER Time for `seconds`: UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5 and
    /// §5.1.2.4, as swift-certificates writes it), digit by digit (String(format:) costs microseconds per call).
    /// UTCTime for 1950–2049, GeneralizedTime otherwise.
    public static func encoding(forSeconds seconds: Int64) -> Encoding {
        let year = civil(seconds).year
        return year >= 1950 && year < 2050 ? .utcTime : .generalizedTime
    }

    public static func appendDER(_ seconds: Int64, to out: inout [UInt8]) {
        let c = civil(seconds)
        let generalized = encoding(forSeconds: seconds) == .generalizedTime
        out.append(generalized ? 0x18 : 0x17)
        out.append(generalized ? 15 : 13)
        func two(_ v: Int64) { out.append(0x30 + UInt8(v / 10 % 10)); out.append(0x30 + UInt8(v % 10)) }
        if generalized { two(c.year / 100) }
        two(c.year % 100); two(c.month); two(c.day); two(c.hour); two(c.minute); two(c.second)
        out.append(0x5A)
    }
    public static func < (a: Self, b: Self) -> Bool { a.secondsSince1970 < b.secondsSince1970 }

    /// "No well-defined expiration" (RFC 5280 §4.1.2.5, Matter §6.2.2): 99991231235959Z.
    public static let noWellDefinedExpiration = CertificateTime(
        secondsSince1970: epochSeconds(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59),
        encoding: .generalizedTime)
    public var isNoWellDefinedExpiration: Bool { self == Self.noWellDefinedExpiration }

    public var description: String {
        let c = civil(secondsSince1970)
        let s = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second)
        return s + (encoding == .generalizedTime ? " (GeneralizedTime)" : "")
    }

    init(_ node: ASN1Node, _ field: String) throws {
        do {
            if node.identifier == .utcTime {
                let t = try UTCTime(derEncoded: node)
                self.init(secondsSince1970: epochSeconds(year: t.year, month: t.month, day: t.day, hour: t.hours,
                                                         minute: t.minutes, second: t.seconds), encoding: .utcTime)
            } else if node.identifier == .generalizedTime {
                let t = try GeneralizedTime(derEncoded: node)
                guard t.fractionalSeconds == 0 else { throw CertificateParseError(field, "fractional seconds") }
                self.init(secondsSince1970: epochSeconds(year: t.year, month: t.month, day: t.day, hour: t.hours,
                                                         minute: t.minutes, second: t.seconds), encoding: .generalizedTime)
            } else {
                throw CertificateParseError(field, "expected UTCTime or GeneralizedTime, found \(node.identifier)")
            }
        } catch let e as CertificateParseError { throw e } catch {
            throw CertificateParseError(field, "invalid time encoding")
        }
    }
}

/// Days-from-civil (proleptic Gregorian, UTC): exact and fast, with no Calendar involved.
public func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let m = Int64(month)
    let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146097 + doe - 719468
    return days * 86400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
}

public func civil(_ seconds: Int64) -> (year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) {
    var days = seconds / 86400
    var rem = seconds % 86400
    if rem < 0 { rem += 86400; days -= 1 }
    let z = days + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A canonical encoding for everything the ledger hashes or signs: each field is its length (4 bytes, big
/// endian) then its UTF-8 bytes, so no choice of field contents can move a boundary ("a|b" + "c" ≠ "a" + "b|c").
public enum Canonical {
    public static func encode(_ fields: [String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(0) { $0 + $1.utf8.count + 4 })
        for f in fields {
            let n = UInt32(f.utf8.count)
            out += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
            out += f.utf8
        }
        return out
    }

    public static func sha256(_ fields: [String]) -> String { hex(SHA256.hash(data: encode(fields))) }
    static func hex(_ d: some Sequence<UInt8>) -> String {
        var s = ""
        s.reserveCapacity(64)
        for b in d { s += hexByte[Int(b)] }
        return s
    }
    private static let hexByte: [String] = (0...255).map { String(format: "%02x", $0) }
}

/// The ledger's one text form of a time: UTC with milliseconds, as stored (and hashed) in every row.
public enum LedgerTime {
    /// "yyyy-MM-dd HH:mm:ss.SSS" (UTC), GRDB's own form, so rows written before this format existed read the same.
    static func storage(_ d: Date) -> String {
        var t = time_t(d.timeIntervalSince1970.rounded(.down))
        // Plus 50 µs: a time read back from its stored text ("….751" is 0.750999… after the seconds) keeps its
        // millisecond (storage(parse(s)) == s); a Double is exact to 30 µs even in 9999.
        var ms = Int(((d.timeIntervalSince1970 - Double(t)) * 1000 + 0.05).rounded(.down))
        if ms < 0 { ms = 0 } else if ms > 999 { ms = 999 }
        var tm = tm()
        gmtime_r(&t, &tm)
        // By hand: String(format:) costs microseconds, and a batch stores three times per certificate.
        var out = [UInt8]()
        out.reserveCapacity(23)
        func digits(_ v: Int, _ n: Int) {
            var d = [UInt8](repeating: 0x30, count: n)
            var x = v
            for i in stride(from: n - 1, through: 0, by: -1) { d[i] = 0x30 + UInt8(x % 10); x /= 10 }
            out += d
        }
        digits(Int(tm.tm_year) + 1900, 4); out.append(0x2D); digits(Int(tm.tm_mon) + 1, 2); out.append(0x2D); digits(Int(tm.tm_mday), 2)
        out.append(0x20); digits(Int(tm.tm_hour), 2); out.append(0x3A); digits(Int(tm.tm_min), 2); out.append(0x3A); digits(Int(tm.tm_sec), 2)
        out.append(0x2E); digits(ms, 3)
        return String(decoding: out, as: UTF8.self)
    }

    static func parse(_ s: String) -> Date? { fastParse(s) ?? generalParse(s) }

    static func generalParse(_ s: String) -> Date? {
        let parts = s.split(whereSeparator: { "- :.T".contains($0) }).map { Int($0) }
        guard parts.count >= 6, parts.allSatisfy({ $0 != nil }) else { return nil }
        var tm = tm()
        tm.tm_year = Int32(parts[0]! - 1900); tm.tm_mon = Int32(parts[1]! - 1); tm.tm_mday = Int32(parts[2]!)
        tm.tm_hour = Int32(parts[3]!); tm.tm_min = Int32(parts[4]!); tm.tm_sec = Int32(parts[5]!)
        let seconds = timegm(&tm)
        let ms = parts.count > 6 ? Double(parts[6]!) / 1000 : 0
        return Date(timeIntervalSince1970: Double(seconds) + ms)
    }

    /// The stored form ("yyyy-MM-dd HH:mm:ss[.SSS]") read digit by digit: a CRL of a million entries reads a
    /// million of them, and the general parser (split, Int, timegm) costs microseconds each.
    static func fastParse(_ s: String) -> Date? {
        var s = s
        return s.withUTF8 { b -> Date? in
            guard b.count == 19 || b.count == 23, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x20 || b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A else { return nil }
            func n(_ at: Int, _ len: Int) -> Int? {
                var v = 0
                for i in at..<at + len { let d = Int(b[i]) - 48; guard d >= 0 && d <= 9 else { return nil }; v = v * 10 + d }
                return v
            }
            guard let y = n(0, 4), let mo = n(5, 2), let d = n(8, 2), let h = n(11, 2), let mi = n(14, 2), let sec = n(17, 2),
                  (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61 else { return nil }
            var ms = 0
            if b.count == 23 { guard b[19] == 0x2E, let m = n(20, 3) else { return nil }; ms = m }
            // Days from the civil date (H. Hinnant's algorithm).
            let yy = mo <= 2 ? y - 1 : y
            let era = (yy >= 0 ? yy : yy - 399) / 400
            let yoe = yy - era * 400
            let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            let days = era * 146097 + doe - 719468
            return Date(timeIntervalSince1970: Double(days * 86400 + h * 3600 + mi * 60 + sec) + Double(ms) / 1000)
        }
    }

    /// ISO 8601 for JSON output: whole seconds, "Z"; the no-expiry date reads 9999-12-31T23:59:59Z.
    public static func iso8601(_ d: Date) -> String {
        var t = time_t(d.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
    }
}

/// The hash chain: hash(n) = SHA-256(canonical("matter-ca audit v2", hash(n−1), seq, at, actor, action,
/// SHA-256(payload))). Certificate rows are bound into it: the entry that records certificates carries the count
/// and digest of their row hashes.
enum AuditChain {
    static let genesis = String(repeating: "0", count: 64)

    static func hash(format: Int, prev: String, seq: Int64, at: String, actor: String, action: String, payloadSHA256: String) -> String {
        if format == 1 {
            // The first format, kept to verify the entries written before canonical encoding.
            return Canonical.hex(SHA256.hash(data: Data([prev, String(seq), at, actor, action, payloadSHA256].joined(separator: "|").utf8)))
        }
        return Canonical.sha256(["matter-ca audit v2", prev, String(seq), at, actor, action, payloadSHA256])
    }

    /// A JSON object with sorted keys, written by hand (JSONSerialization costs more than the rest of an audit
    /// append). The chain hashes the stored text, so its exact spelling is not a format.
    static func payloadText(_ payload: [String: String]) -> String {
        func quoted(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
        return "{" + payload.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + quoted($0.value) }.joined(separator: ",") + "}"
    }

    static func sha256(_ s: String) -> String { Canonical.hex(SHA256.hash(data: Data(s.utf8))) }

    /// The immutable facts of a certificate row, as stored (times in their stored text form).
    struct RowFacts {
        var issuerSKID, serial, type, subject, skid: String
        var vid, pid: Int?
        var notBefore, notAfter, createdAt: String
        var sha256: String
        var batchID: String?
        var batchItem: Int?

        var hash: String {
            Canonical.sha256(["certificate v1", issuerSKID, serial, type, subject, skid, vid.map(String.init) ?? "-", pid.map(String.init) ?? "-",
                              notBefore, notAfter, sha256, batchID ?? "-", batchItem.map(String.init) ?? "-", createdAt])
        }
        var key: String { "\(issuerSKID)/\(serial)" }
    }

    /// Digest of a sequence of row hashes in (issuer, serial) order, kept incrementally.
    struct Digest {
        private var h = SHA256()
        private(set) var count = 0
        mutating func add(_ rowHash: String) { h.update(data: Data(rowHash.utf8)); count += 1 }
        func finalize() -> String { Canonical.hex(h.finalize()) }
    }

    static let rowsCount = "rows.count", rowsDigest = "rows.sha256"
    static let revocationsCount = "revocations.count", revocationsDigest = "revocations.sha256"
}

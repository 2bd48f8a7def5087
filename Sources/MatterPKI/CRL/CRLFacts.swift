import Foundation

/// What the CRL lint and the revocation-set builder read from a v2 CRL (RFC 5280 §5), taken from the exact bytes.
/// A light TLV walk, not a node tree: a CRL of a million entries is read in one pass without a node per field.
public struct CRLFacts: Sendable {
    public struct Extension: Sendable, Equatable {
        public let oid: [UInt8]   // DER content octets of the OID
        public let critical: Bool
        public let value: ArraySlice<UInt8>
    }
    public struct IssuingDistributionPoint: Sendable, Equatable {
        public var uris: [String] = []
        public var otherNames = 0
        public var onlyContainsUserCerts = false
        public var onlyContainsCACerts = false
        public var indirectCRL = false
        public var hasOnlySomeReasons = false
    }

    public var version: Int?
    public var signatureAlgorithm: [UInt8] = []
    public var issuer: [UInt8] = []
    public var thisUpdate: CertificateTime?
    public var nextUpdate: CertificateTime?
    public var extensions: [Extension] = []
    public var authorityKeyID: [UInt8]?
    public var crlNumber: [UInt8]?
    public var idp: IssuingDistributionPoint?
    /// Entries: serial magnitudes, in order (kept only when asked for: the revocation set needs them, the lint not).
    public var serials: [ArraySlice<UInt8>] = []
    public var entryCount = 0
    /// Present but empty revokedCertificates (RFC 5280 §5.1.2.6: absent when none).
    public var emptyRevokedList = false
    public var badSerials: [String] = []
    public var duplicateSerials = 0
    /// Entries without a certificateIssuer extension, and certificateIssuer values (DER of the Name) seen.
    public var entriesWithoutCertificateIssuer = 0
    public var certificateIssuers: Set<[UInt8]> = []
    public var criticalEntryExtensions: Set<String> = []
    /// Total size of the CRL (or of the TBS when built from it).
    public var size = 0

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// `der` is a TBSCertList, or a CertificateList when `whole` (then the signature is not checked here).
    public init(der: [UInt8], whole: Bool = false, keepSerials: Bool = false) throws(ParseError) {
        size = der.count
        var top = TLVCursor(der[...])
        var tbsBytes = try top.expect(0x30, "CertificateList")
        if whole {
            var list = TLVCursor(tbsBytes)
            tbsBytes = try list.expect(0x30, "tbsCertList")
        } else {
            guard top.atEnd else { throw ParseError(description: "trailing bytes after the TBSCertList") }
        }
        var tbs = TLVCursor(tbsBytes)
        if tbs.peekTag == 0x02 { version = try Int(Self.smallUInt(tbs.expect(0x02, "version"), "version")) }
        signatureAlgorithm = Array(try tbs.expect(0x30, "signature"))
        issuer = Array(try tbs.element(0x30, "issuer"))
        thisUpdate = try Self.time(&tbs, "thisUpdate")
        if tbs.peekTag == 0x17 || tbs.peekTag == 0x18 { nextUpdate = try Self.time(&tbs, "nextUpdate") }
        if tbs.peekTag == 0x30 {
            let revoked = try tbs.expect(0x30, "revokedCertificates")
            var list = TLVCursor(revoked)
            emptyRevokedList = list.atEnd
            // Duplicates: a sorted list (what the builder writes) is checked against the previous serial alone; an
            // unsorted one gets a second pass with a set. A per-entry hash set was most of the cost of a big CRL.
            var previous: ArraySlice<UInt8>?
            var sorted = true
            while !list.atEnd {
                var entry = TLVCursor(try list.expect(0x30, "revokedCertificates entry"))
                var serial = try entry.expect(0x02, "userCertificate")
                if serial.isEmpty || serial.first! & 0x80 != 0 || serial.allSatisfy({ $0 == 0 }) {
                    badSerials.append(serial.hexString)
                }
                while serial.count > 1 && serial.first == 0 { serial = serial.dropFirst() }
                if serial.count > 20 { badSerials.append(serial.hexString) }
                if sorted, let p = previous {
                    if p.elementsEqual(serial) { duplicateSerials += 1 } else if !p.lexicographicallyPrecedes(serial) { sorted = false }
                }
                previous = serial
                if keepSerials { serials.append(serial) }
                _ = try Self.time(&entry, "revocationDate")
                var hasIssuer = false
                if !entry.atEnd {
                    for e in try Self.extensions(try entry.expect(0x30, "crlEntryExtensions")) {
                        if e.critical && e.oid != OIDBytes.certificateIssuer { criticalEntryExtensions.insert(e.oid.hexString) }
                        if e.oid == OIDBytes.certificateIssuer {
                            hasIssuer = true
                            certificateIssuers.insert(try Self.directoryName(e.value))
                        }
                    }
                }
                if !hasIssuer { entriesWithoutCertificateIssuer += 1 }
                entryCount += 1
            }
            if !sorted { duplicateSerials = try Self.countDuplicates(list: revoked) }
        }
        if tbs.peekTag == 0xA0 {
            var wrapper = TLVCursor(try tbs.expect(0xA0, "crlExtensions"))
            extensions = try Self.extensions(try wrapper.expect(0x30, "crlExtensions"))
        }
        guard tbs.atEnd else { throw ParseError(description: "tbsCertList: unexpected trailing element") }
        for e in extensions {
            switch e.oid {
            case OIDBytes.authorityKeyIdentifier:
                var v = TLVCursor(e.value)
                var akid = TLVCursor(try v.expect(0x30, "authorityKeyIdentifier"))
                if akid.peekTag == 0x80 { authorityKeyID = Array(try akid.expect(0x80, "keyIdentifier")) }
            case OIDBytes.crlNumber:
                var v = TLVCursor(e.value)
                crlNumber = Array(try v.expect(0x02, "cRLNumber"))
            case OIDBytes.issuingDistributionPoint:
                idp = try Self.idp(e.value)
            default: break
            }
        }
    }

    static func countDuplicates(list bytes: ArraySlice<UInt8>) throws(ParseError) -> Int {
        var seen = Set<ArraySlice<UInt8>>()
        var list = TLVCursor(bytes), dups = 0
        while !list.atEnd {
            var entry = TLVCursor(try list.expect(0x30, "revokedCertificates entry"))
            var serial = try entry.expect(0x02, "userCertificate")
            while serial.count > 1 && serial.first == 0 { serial = serial.dropFirst() }
            if !seen.insert(serial).inserted { dups += 1 }
        }
        return dups
    }

    static func extensions(_ bytes: ArraySlice<UInt8>) throws(ParseError) -> [Extension] {
        var out: [Extension] = []
        var c = TLVCursor(bytes)
        while !c.atEnd {
            var e = TLVCursor(try c.expect(0x30, "extension"))
            let oid = Array(try e.expect(0x06, "extnID"))
            var critical = false
            if e.peekTag == 0x01 { critical = try e.expect(0x01, "critical").first.map { $0 != 0 } ?? false }
            let value = try e.expect(0x04, "extnValue")
            out.append(Extension(oid: oid, critical: critical, value: value))
        }
        return out
    }

    /// GeneralNames holding one directoryName: the Name's DER.
    static func directoryName(_ value: ArraySlice<UInt8>) throws(ParseError) -> [UInt8] {
        var v = TLVCursor(value)
        var names = TLVCursor(try v.expect(0x30, "certificateIssuer"))
        var dn = TLVCursor(try names.expect(0xA4, "certificateIssuer.directoryName"))
        return Array(try dn.element(0x30, "certificateIssuer.directoryName"))
    }

    static func idp(_ value: ArraySlice<UInt8>) throws(ParseError) -> IssuingDistributionPoint {
        var out = IssuingDistributionPoint()
        var v = TLVCursor(value)
        var seq = TLVCursor(try v.expect(0x30, "issuingDistributionPoint"))
        while !seq.atEnd {
            let tag = seq.peekTag
            let content = try seq.expect(tag ?? 0, "issuingDistributionPoint")
            switch tag {
            case 0xA0:   // distributionPoint: [0] fullName GeneralNames
                var dpn = TLVCursor(content)
                if dpn.peekTag == 0xA0 {
                    var names = TLVCursor(try dpn.expect(0xA0, "fullName"))
                    while !names.atEnd {
                        let t = names.peekTag
                        let n = try names.expect(t ?? 0, "fullName")
                        if t == 0x86 { out.uris.append(String(decoding: n, as: UTF8.self)) } else { out.otherNames += 1 }
                    }
                } else { out.otherNames += 1 }
            case 0x81: out.onlyContainsUserCerts = content.first.map { $0 != 0 } ?? false
            case 0x82: out.onlyContainsCACerts = content.first.map { $0 != 0 } ?? false
            case 0x83: out.hasOnlySomeReasons = true
            case 0x84: out.indirectCRL = content.first.map { $0 != 0 } ?? false
            default: break
            }
        }
        return out
    }

    private static func time(_ c: inout TLVCursor, _ field: String) throws(ParseError) -> CertificateTime {
        let tag = c.peekTag
        guard tag == 0x17 || tag == 0x18 else { throw ParseError(description: "\(field): expected UTCTime or GeneralizedTime") }
        let bytes = try c.expect(tag!, field)
        guard let t = CertificateTime(bytes: bytes, generalized: tag == 0x18) else { throw ParseError(description: "\(field): malformed time") }
        return t
    }

    private static func smallUInt(_ b: ArraySlice<UInt8>, _ field: String) throws(ParseError) -> UInt64 {
        guard !b.isEmpty, b.count <= 8, b.first! & 0x80 == 0 else { throw ParseError(description: "\(field): not a small non-negative INTEGER") }
        return b.reduce(0) { $0 << 8 | UInt64($1) }
    }

    public func extensionNamed(_ oid: [UInt8]) -> Extension? { extensions.first { $0.oid == oid } }
}

/// DER content octets of the OIDs the CRL code reads and writes.
public enum OIDBytes {
    public static let authorityKeyIdentifier: [UInt8] = [0x55, 0x1D, 0x23]   // 2.5.29.35
    public static let crlNumber: [UInt8] = [0x55, 0x1D, 0x14]                // 2.5.29.20
    public static let reasonCode: [UInt8] = [0x55, 0x1D, 0x15]               // 2.5.29.21
    public static let deltaCRLIndicator: [UInt8] = [0x55, 0x1D, 0x1B]        // 2.5.29.27
    public static let issuingDistributionPoint: [UInt8] = [0x55, 0x1D, 0x1C] // 2.5.29.28
    public static let certificateIssuer: [UInt8] = [0x55, 0x1D, 0x1D]        // 2.5.29.29
    public static let freshestCRL: [UInt8] = [0x55, 0x1D, 0x2E]              // 2.5.29.46
    public static let ecdsaWithSHA256: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]

    public static func name(_ oid: [UInt8]) -> String {
        switch oid {
        case authorityKeyIdentifier: return "authorityKeyIdentifier"
        case crlNumber: return "cRLNumber"
        case reasonCode: return "reasonCode"
        case deltaCRLIndicator: return "deltaCRLIndicator"
        case issuingDistributionPoint: return "issuingDistributionPoint"
        case certificateIssuer: return "certificateIssuer"
        case freshestCRL: return "freshestCRL"
        default: return "OID " + oid.hexString
        }
    }
}

/// A forward-only DER reader over a slice: tag, definite length, contents.
struct TLVCursor {
    var rest: ArraySlice<UInt8>
    init(_ bytes: ArraySlice<UInt8>) { rest = bytes }
    var atEnd: Bool { rest.isEmpty }
    var peekTag: UInt8? { rest.first }

    /// The contents of the next element, which must carry `tag`.
    mutating func expect(_ tag: UInt8, _ field: String) throws(CRLFacts.ParseError) -> ArraySlice<UInt8> {
        let (contentStart, end) = try header(tag, field)
        defer { rest = rest[end...] }
        return rest[contentStart..<end]
    }

    /// The whole next element (tag and length included).
    mutating func element(_ tag: UInt8, _ field: String) throws(CRLFacts.ParseError) -> ArraySlice<UInt8> {
        let start = rest.startIndex
        let (_, end) = try header(tag, field)
        defer { rest = rest[end...] }
        return rest[start..<end]
    }

    private func header(_ tag: UInt8, _ field: String) throws(CRLFacts.ParseError) -> (Int, Int) {
        var i = rest.startIndex
        guard i < rest.endIndex else { throw CRLFacts.ParseError(description: "\(field): missing") }
        guard rest[i] == tag else { throw CRLFacts.ParseError(description: "\(field): expected tag \(String(format: "%02X", tag)), found \(String(format: "%02X", rest[i]))") }
        i += 1
        guard i < rest.endIndex else { throw CRLFacts.ParseError(description: "\(field): truncated length") }
        var length = Int(rest[i]); i += 1
        if length & 0x80 != 0 {
            let n = length & 0x7F
            guard n >= 1, n <= 4, i + n <= rest.endIndex else { throw CRLFacts.ParseError(description: "\(field): bad length") }
            length = 0
            for _ in 0..<n { length = length << 8 | Int(rest[i]); i += 1 }
        }
        guard length <= rest.endIndex - i else { throw CRLFacts.ParseError(description: "\(field): runs past the end") }
        return (i, i + length)
    }
}

extension CertificateTime {
    /// From UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) content octets.
    init?(bytes: ArraySlice<UInt8>, generalized: Bool) {
        let digits = bytes
        let yearDigits = generalized ? 4 : 2
        guard digits.count == yearDigits + 11, digits.last == UInt8(ascii: "Z") else { return nil }
        var values = (0, 0, 0, 0, 0)
        var i = digits.startIndex
        func take(_ n: Int) -> Int? {
            var v = 0
            for _ in 0..<n {
                let d = Int(digits[i]) - 48
                guard (0...9).contains(d) else { return nil }
                v = v * 10 + d; i += 1
            }
            return v
        }
        guard var year = take(yearDigits) else { return nil }
        if !generalized { year += year >= 50 ? 1900 : 2000 }
        guard let mo = take(2), let d = take(2), let h = take(2), let mi = take(2), let sec = take(2) else { return nil }
        values = (mo, d, h, mi, sec)
        guard (1...12).contains(values.0), (1...31).contains(values.1), values.2 < 24, values.3 < 60, values.4 < 60 else { return nil }
        self.init(secondsSince1970: epochSeconds(year: year, month: values.0, day: values.1, hour: values.2, minute: values.3, second: values.4),
                  encoding: generalized ? .generalizedTime : .utcTime)
    }
}

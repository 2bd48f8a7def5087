import SwiftASN1

/// The VID/PID a certificate's subject carries, read exactly as the SDK's `ExtractVIDPIDFromX509Cert` does
/// (matter-attestation.md §1.2):
/// - the Matter attributes 1.3.6.1.4.1.37244.2.1 (VID) / .2.2 (PID): exactly 4 uppercase hex characters, at
///   most one of each;
/// - otherwise the `Mvid:`/`Mpid:` fallback in the first CN that yields anything, scanning its first 64 bytes left
///   to right; a prefix seen without a valid value makes the DN invalid;
/// - if any Matter attribute is present, every CN fallback value is discarded.
public struct MatterVIDPID: Equatable, Sendable, CustomStringConvertible {
    public enum Source: String, Sendable { case attributes, commonNameFallback, none }
    public var vid: VendorID?
    public var pid: ProductID?
    public var source: Source

    public init(vid: VendorID? = nil, pid: ProductID? = nil, source: Source) {
        self.vid = vid; self.pid = pid; self.source = source
    }

    public var description: String {
        "VID \(vid.map { $0.description } ?? "absent"), PID \(pid.map { $0.description } ?? "absent")"
            + (source == .commonNameFallback ? " (CN fallback)" : "")
    }

    /// `CHIP_ERROR_WRONG_CERT_DN` / `CHIP_ERROR_INVALID_ARGUMENT` cases, each with what was found.
    public enum EncodingError: Error, Equatable, Sendable, CustomStringConvertible {
        case attributeNotFourUppercaseHex(attribute: String, value: String)
        case attributeRepeated(attribute: String)
        case attributeEmpty(attribute: String)
        case commonNamePrefixWithoutValue(prefix: String, commonName: String)

        public var description: String {
            switch self {
            case .attributeNotFourUppercaseHex(let a, let v):
                return "\(a) attribute \"\(v)\" is not exactly 4 uppercase hex digits"
            case .attributeRepeated(let a): return "\(a) attribute appears more than once"
            case .attributeEmpty(let a): return "\(a) attribute is empty"
            case .commonNamePrefixWithoutValue(let p, let cn):
                return "CN \"\(cn)\" contains \"\(p)\" but never followed by 4 uppercase hex digits"
            }
        }
    }

    public static let commonNameScanLimit = 64

    public static func extract(from subject: Name) throws(EncodingError) -> MatterVIDPID {
        var fromAttributes = MatterVIDPID(source: .attributes)
        var fromCN = MatterVIDPID(source: .commonNameFallback)
        for attr in subject.attributes {
            let isVID = attr.oid == OID.matterVID, isPID = attr.oid == OID.matterPID
            guard isVID || isPID || attr.oid == OID.commonName else { continue }
            let label = isVID ? "MatterVID" : isPID ? "MatterPID" : "CN"
            guard !attr.value.isEmpty else { throw .attributeEmpty(attribute: label) }
            if isVID || isPID {
                guard let v = decodeUppercaseHex4(attr.value) else {
                    throw .attributeNotFourUppercaseHex(attribute: label, value: attr.stringValue)
                }
                if isVID {
                    guard fromAttributes.vid == nil else { throw .attributeRepeated(attribute: label) }
                    fromAttributes.vid = VendorID(v)
                } else {
                    guard fromAttributes.pid == nil else { throw .attributeRepeated(attribute: label) }
                    fromAttributes.pid = ProductID(v)
                }
            } else if fromCN.vid == nil && fromCN.pid == nil {
                let scanned = Array(attr.value.prefix(commonNameScanLimit))
                if let v = try findHex(after: "Mvid:", in: scanned, cn: attr.stringValue) { fromCN.vid = VendorID(v) }
                if let p = try findHex(after: "Mpid:", in: scanned, cn: attr.stringValue) { fromCN.pid = ProductID(p) }
            }
        }
        if fromAttributes.vid != nil || fromAttributes.pid != nil { return fromAttributes }
        if fromCN.vid != nil || fromCN.pid != nil { return fromCN }
        return MatterVIDPID(source: .none)
    }

    /// `Find16BitUpperCaseHexAfterPrefix`: first prefix followed by 4 uppercase hex digits wins.
    static func findHex(after prefix: String, in buffer: [UInt8], cn: String) throws(EncodingError) -> UInt16? {
        let p = Array(prefix.utf8)
        var sawPrefix = false
        var i = 0
        while i + p.count <= buffer.count {
            if buffer[i..<(i + p.count)].elementsEqual(p) {
                sawPrefix = true
                let start = i + p.count
                if start + 4 > buffer.count { break }
                if let v = decodeUppercaseHex4(buffer[start..<(start + 4)]) { return v }
            }
            i += 1
        }
        if sawPrefix { throw .commonNamePrefixWithoutValue(prefix: prefix, commonName: cn) }
        return nil
    }
}

extension ParsedCertificate {
    public func matterVIDPID() throws(MatterVIDPID.EncodingError) -> MatterVIDPID {
        try MatterVIDPID.extract(from: subject)
    }
}

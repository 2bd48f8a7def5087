import SwiftASN1

/// An X.501 Name kept as its exact DER bytes plus its attributes in order (RDNs flattened, as OpenSSL's
/// `X509_NAME_get_entry` walks them).
public struct Name: Hashable, Sendable, CustomStringConvertible {
    public struct Attribute: Hashable, Sendable {
        public let oid: ASN1ObjectIdentifier
        /// The value's tag (0x0C UTF8String, 0x13 PrintableString, ...).
        public let tag: ASN1Identifier
        /// The value's content octets.
        public let value: [UInt8]
        public var stringValue: String { String(decoding: value, as: UTF8.self) }
    }

    public let der: [UInt8]
    public let rdns: [[Attribute]]
    public var attributes: [Attribute] { rdns.flatMap { $0 } }

    /// From parts already read (`FastCertificateReader`).
    init(der: [UInt8], rdns: [[Attribute]]) {
        self.der = der
        self.rdns = rdns
    }

    public init(derEncoded node: ASN1Node, field: String) throws {
        var seq = try DERReader(node, field)
        var rdns: [[Attribute]] = []
        while let rdnNode = seq.iterator.next() {
            let rdn = try withFieldPath("\(field).rdn[\(rdns.count)]") { () throws -> [Attribute] in
                var set = try DERReader(rdnNode, fieldHere, tag: .set)
                var rdn: [Attribute] = []
                while let atv = set.iterator.next() {
                    var pair = try DERReader(atv, "\u{1}.attribute")
                    let typeNode = try pair.next("type")
                    let type: ASN1ObjectIdentifier
                    do { type = try ASN1ObjectIdentifier(derEncoded: typeNode) } catch {
                        throw CertificateParseError("\(field).attribute.type", "not an OBJECT IDENTIFIER")
                    }
                    let valueNode = try pair.next("value")
                    try pair.finish()
                    let value: [UInt8]
                    switch valueNode.content {
                    case .primitive(let b): value = Array(b)
                    case .constructed: value = Array(valueNode.encodedBytes)
                    }
                    rdn.append(Attribute(oid: type, tag: valueNode.identifier, value: value))
                }
                guard !rdn.isEmpty else { throw CertificateParseError(fieldHere, "empty RDN") }
                return rdn
            }
            rdns.append(rdn)
        }
        self.rdns = rdns
        self.der = Array(node.encodedBytes)
    }

    public var isEmpty: Bool { rdns.isEmpty }

    public func first(_ oid: ASN1ObjectIdentifier) -> Attribute? { attributes.first { $0.oid == oid } }
    public var commonName: String? { first(OID.commonName)?.stringValue }

    public var description: String {
        attributes.map { a -> String in
            let key: String
            switch a.oid {
            case OID.commonName: key = "CN"
            case OID.matterVID: key = "VID"
            case OID.matterPID: key = "PID"
            case [2, 5, 4, 10]: key = "O"
            case [2, 5, 4, 6]: key = "C"
            default: key = a.oid.description
            }
            return "\(key)=\(a.stringValue)"
        }.joined(separator: ", ")
    }

    /// Issuer/subject name matching as the SDK's OpenSSL chain builder does it (`X509_NAME_cmp` on the
    /// canonical encoding): same attribute types in the same RDN structure; string values compared after
    /// ASCII case folding and whitespace trimming/collapsing; other values byte for byte.
    public func matchesForChaining(_ other: Name) -> Bool {
        if der == other.der { return true }
        guard rdns.count == other.rdns.count else { return false }
        for (a, b) in zip(rdns, other.rdns) {
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) {
                guard x.oid == y.oid else { return false }
                if Name.isCanonicalisedString(x.tag) && Name.isCanonicalisedString(y.tag) {
                    guard Name.canonical(x.value) == Name.canonical(y.value) else { return false }
                } else {
                    guard x.tag == y.tag, x.value == y.value else { return false }
                }
            }
        }
        return true
    }

    static func isCanonicalisedString(_ tag: ASN1Identifier) -> Bool {
        [ASN1Identifier.utf8String, .printableString, .ia5String, .teletexString, .visibleString,
         .universalString, .bmpString].contains(tag)
    }

    static func canonical(_ v: [UInt8]) -> [UInt8] {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
        var out: [UInt8] = []
        var pendingSpace = false
        for b in v.drop(while: isSpace) {
            if isSpace(b) { pendingSpace = true; continue }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            out.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
        }
        return out
    }
}

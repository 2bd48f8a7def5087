import SwiftASN1

/// The extension value's DER, or a `CertificateParseError` naming the extension.
func extensionValueNode(_ value: [UInt8], _ field: String) throws -> ASN1Node {
    do { return try DER.parse(value) } catch { throw CertificateParseError(field, "not valid DER") }
}

/// Decoders for the extension values the Matter rules look into. Each throws a `CertificateParseError`
/// naming the extension when its contents are malformed (OpenSSL then marks the certificate invalid).

public struct BasicConstraintsValue: Equatable, Sendable {
    public let isCA: Bool
    public let pathLength: Int?
    public init(_ value: [UInt8]) throws {
        let f = "basicConstraints"
        let node = try extensionValueNode(value, f)
        var r = try DERReader(node, f)
        var ca = false
        var path: Int?
        if let n = r.peek(), n.identifier == .boolean { ca = try boolean(r.next("cA"), "\(f).cA") }
        if let n = r.peek(), n.identifier == .integer { path = try smallInteger(r.next("pathLenConstraint"), "\(f).pathLenConstraint") }
        try r.finish()
        isCA = ca
        pathLength = path
    }
}

/// keyUsage bits as OpenSSL's `X509_get_key_usage` reports them (first two octets, little-endian packed).
public struct KeyUsageValue: Equatable, Sendable {
    public static let digitalSignature: UInt32 = 0x0080
    public static let nonRepudiation: UInt32 = 0x0040
    public static let keyEncipherment: UInt32 = 0x0020
    public static let dataEncipherment: UInt32 = 0x0010
    public static let keyAgreement: UInt32 = 0x0008
    public static let keyCertSign: UInt32 = 0x0004
    public static let cRLSign: UInt32 = 0x0002
    public static let encipherOnly: UInt32 = 0x0001
    public static let decipherOnly: UInt32 = 0x8000

    public let bits: UInt32
    public init(_ value: [UInt8]) throws {
        let node = try extensionValueNode(value, "keyUsage")
        let b = try bitString(node, "keyUsage").bytes
        var bits: UInt32 = 0
        if b.count > 0 { bits = UInt32(b[0]) }
        if b.count > 1 { bits |= UInt32(b[1]) << 8 }
        self.bits = bits
    }
    public init(bits: UInt32) { self.bits = bits }

    public var names: [String] {
        let all: [(UInt32, String)] = [(Self.digitalSignature, "digitalSignature"), (Self.nonRepudiation, "nonRepudiation"),
            (Self.keyEncipherment, "keyEncipherment"), (Self.dataEncipherment, "dataEncipherment"),
            (Self.keyAgreement, "keyAgreement"), (Self.keyCertSign, "keyCertSign"), (Self.cRLSign, "cRLSign"),
            (Self.encipherOnly, "encipherOnly"), (Self.decipherOnly, "decipherOnly")]
        return all.filter { bits & $0.0 != 0 }.map(\.1)
    }
}

public struct SubjectKeyIdentifierValue: Equatable, Sendable {
    public let keyIdentifier: [UInt8]
    public init(_ value: [UInt8]) throws {
        let node = try extensionValueNode(value, "subjectKeyIdentifier")
        keyIdentifier = Array(try primitive(node, .octetString, "subjectKeyIdentifier"))
    }
}

public struct AuthorityKeyIdentifierValue: Equatable, Sendable {
    public let keyIdentifier: [UInt8]?
    public init(_ value: [UInt8]) throws {
        let f = "authorityKeyIdentifier"
        let node = try extensionValueNode(value, f)
        var r = try DERReader(node, f)
        var kid: [UInt8]?
        var lastTag: UInt = 0
        var first = true
        while let n = r.iterator.next() {
            guard n.identifier.tagClass == .contextSpecific, n.identifier.tagNumber <= 2,
                  first || n.identifier.tagNumber > lastTag else {
                throw CertificateParseError(f, "unexpected element \(n.identifier)")
            }
            first = false
            lastTag = n.identifier.tagNumber
            if n.identifier.tagNumber == 0 {
                guard case .primitive(let b) = n.content else { throw CertificateParseError("\(f).keyIdentifier", "must be primitive") }
                kid = Array(b)
            }
        }
        keyIdentifier = kid
    }
}

/// A GeneralNames-shaped extension (subjectAltName): must be a non-empty SEQUENCE of context-tagged names.
public struct GeneralNamesValue: Equatable, Sendable {
    public let count: Int
    public init(_ value: [UInt8], field: String) throws {
        let node = try extensionValueNode(value, field)
        var r = try DERReader(node, field)
        var n = 0
        while let g = r.iterator.next() {
            guard g.identifier.tagClass == .contextSpecific, g.identifier.tagNumber <= 8 else {
                throw CertificateParseError(field, "element \(n) is not a GeneralName")
            }
            n += 1
        }
        count = n
    }
}

/// extendedKeyUsage: a non-empty SEQUENCE OF OBJECT IDENTIFIER.
public struct ExtendedKeyUsageValue: Equatable, Sendable {
    public let purposes: [ASN1ObjectIdentifier]
    public init(_ value: [UInt8]) throws {
        let f = "extendedKeyUsage"
        let node = try extensionValueNode(value, f)
        var r = try DERReader(node, f)
        var p: [ASN1ObjectIdentifier] = []
        while let n = r.iterator.next() { p.append(try oid(n, "\(f)[\(p.count)]")) }
        purposes = p
    }
}

/// cRLDistributionPoints, read the way the SDK's `ExtractCRLDistributionPointURIFromX509Cert` does: exactly
/// one DistributionPoint whose fullName is one URI starting with http:// or https://.
public struct CRLDistributionPointsValue: Equatable, Sendable {
    public let pointCount: Int
    /// The single fullName URI when the extension has the Matter shape; nil otherwise.
    public let matterURI: String?

    public init(_ value: [UInt8]) throws {
        let f = "cRLDistributionPoints"
        let node = try extensionValueNode(value, f)
        var r = try DERReader(node, f)
        var points: [ASN1Node] = []
        while let p = r.iterator.next() {
            _ = try DERReader(p, "\(f)[\(points.count)]")
            points.append(p)
        }
        guard !points.isEmpty else { throw CertificateParseError(f, "no DistributionPoint") }
        pointCount = points.count
        matterURI = points.count == 1 ? Self.singleURI(points[0]) : nil
    }

    private static func singleURI(_ point: ASN1Node) -> String? {
        guard case .constructed(let parts) = point.content,
              let dpName = parts.first(where: { $0.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) }),
              case .constructed(let nameChoice) = dpName.content,
              let full = nameChoice.first(where: { $0.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) }),
              case .constructed(let names) = full.content else { return nil }
        let all = Array(names)
        guard all.count == 1, all[0].identifier == ASN1Identifier(tagWithNumber: 6, tagClass: .contextSpecific),
              case .primitive(let bytes) = all[0].content else { return nil }
        let uri = String(decoding: bytes, as: UTF8.self)
        return uri.hasPrefix("http://") || uri.hasPrefix("https://") ? uri : nil
    }
}

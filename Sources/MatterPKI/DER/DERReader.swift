import SwiftASN1

/// Small helpers over swift-asn1 nodes that turn every structural surprise into a `CertificateParseError`
/// naming the field, so that malformed input gets a precise message instead of a generic ASN.1 error.
struct DERReader {
    var iterator: ASN1NodeCollection.Iterator
    let field: String

    init(_ node: ASN1Node, _ field: String, tag: ASN1Identifier = .sequence) throws {
        guard node.identifier == tag, case .constructed(let children) = node.content else {
            throw CertificateParseError(field, "expected \(tag), found \(node.identifier)")
        }
        self.iterator = children.makeIterator()
        self.field = field
    }

    mutating func next(_ what: String) throws -> ASN1Node {
        guard let n = iterator.next() else { throw CertificateParseError("\(field).\(what)", "missing") }
        return n
    }

    mutating func peek() -> ASN1Node? {
        var copy = iterator
        return copy.next()
    }

    mutating func finish() throws {
        if let extra = iterator.next() {
            throw CertificateParseError(field, "unexpected trailing element \(extra.identifier)")
        }
    }
}

/// Where a field path starts in an error built inside `withFieldPath`: replaced by the real path only when an error
/// is thrown, so a parse that succeeds builds no path strings (a certificate has dozens of fields).
let fieldHere = "\u{1}"

func withFieldPath<T>(_ path: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CertificateParseError where e.field.hasPrefix(fieldHere) {
        throw CertificateParseError(path() + e.field.dropFirst(fieldHere.count), e.reason)
    }
}

func primitive(_ node: ASN1Node, _ tag: ASN1Identifier, _ field: String) throws -> ArraySlice<UInt8> {
    guard node.identifier == tag, case .primitive(let bytes) = node.content else {
        throw CertificateParseError(field, "expected \(tag), found \(node.identifier)")
    }
    return bytes
}

func oid(_ node: ASN1Node, _ field: String) throws -> ASN1ObjectIdentifier {
    do { return try ASN1ObjectIdentifier(derEncoded: node) } catch {
        throw CertificateParseError(field, "not an OBJECT IDENTIFIER")
    }
}

/// BOOLEAN as OpenSSL reads it: any non-zero content octet is TRUE.
func boolean(_ node: ASN1Node, _ field: String) throws -> Bool {
    let b = try primitive(node, .boolean, field)
    guard b.count == 1 else { throw CertificateParseError(field, "BOOLEAN must be one octet") }
    return b.first! != 0
}

/// Non-negative INTEGER that fits in Int (minimal encoding not required, as OpenSSL).
func smallInteger(_ node: ASN1Node, _ field: String) throws -> Int {
    try smallInteger(contents: try primitive(node, .integer, field), field)
}

/// `smallInteger` of an INTEGER's content octets (the fast reader's path too).
func smallInteger(contents b: ArraySlice<UInt8>, _ field: String) throws -> Int {
    guard !b.isEmpty else { throw CertificateParseError(field, "empty INTEGER") }
    guard b.first! & 0x80 == 0 else { throw CertificateParseError(field, "negative INTEGER") }
    let significant = b.drop { $0 == 0 }
    guard significant.count <= 7 else { throw CertificateParseError(field, "INTEGER too large") }
    return significant.reduce(0) { $0 << 8 | Int($1) }
}

/// BIT STRING contents with the unused trailing bits cleared, and the unused-bit count.
func bitString(_ node: ASN1Node, _ field: String) throws -> (bytes: [UInt8], unusedBits: Int) {
    try bitString(contents: try primitive(node, .bitString, field), field)
}

/// `bitString` of a BIT STRING's content octets (the fast reader's path too).
func bitString(contents b: ArraySlice<UInt8>, _ field: String) throws -> (bytes: [UInt8], unusedBits: Int) {
    guard let unused = b.first, unused < 8 else { throw CertificateParseError(field, "bad BIT STRING header") }
    var data = Array(b.dropFirst())
    if data.isEmpty && unused != 0 { throw CertificateParseError(field, "empty BIT STRING with unused bits") }
    if !data.isEmpty { data[data.count - 1] &= UInt8(truncatingIfNeeded: 0xFF << unused) }
    return (data, Int(unused))
}

/// DER length octets.
public enum DERLength {
    public static func encode(_ n: Int) -> [UInt8] {
        var out: [UInt8] = []
        append(n, to: &out)
        return out
    }

    /// Appends the length octets to `out` (the CRL builder writes a million of them: no array per call).
    public static func append(_ n: Int, to out: inout [UInt8]) {
        if n < 0x80 { out.append(UInt8(n)); return }
        var bytes = 0, v = n
        while v > 0 { bytes += 1; v >>= 8 }
        out.append(0x80 | UInt8(bytes))
        for i in stride(from: bytes - 1, through: 0, by: -1) { out.append(UInt8((n >> (8 * i)) & 0xFF)) }
    }
}

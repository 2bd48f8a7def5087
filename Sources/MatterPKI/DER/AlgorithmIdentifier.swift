import SwiftASN1

public struct AlgorithmIdentifier: Hashable, Sendable, CustomStringConvertible {
    public let oid: ASN1ObjectIdentifier
    /// The complete DER of the AlgorithmIdentifier, so that parameters are compared too (RFC 5280 §4.1.1.2).
    public let der: [UInt8]

    init(oid: ASN1ObjectIdentifier, der: [UInt8]) {
        self.oid = oid
        self.der = der
    }

    init(derEncoded node: ASN1Node, field: String) throws {
        // The field path is built only when something is wrong: every certificate read passes here twice.
        oid = try withFieldPath(field) {
            var r = try DERReader(node, fieldHere)
            return try MatterPKI.oid(try r.next("algorithm"), "\u{1}.algorithm")
        }
        der = Array(node.encodedBytes)
    }
    public var description: String { OID.name(oid) }
}

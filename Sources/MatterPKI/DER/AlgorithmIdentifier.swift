import SwiftASN1

public struct AlgorithmIdentifier: Hashable, Sendable, CustomStringConvertible {
    public let oid: ASN1ObjectIdentifier
    /// The complete DER of the AlgorithmIdentifier, so that parameters are compared too (RFC 5280 §4.1.1.2).
    public let der: [UInt8]

    init(derEncoded node: ASN1Node, field: String) throws {
        var r = try DERReader(node, field)
        oid = try MatterPKI.oid(try r.next("algorithm"), "\(field).algorithm")
        der = Array(node.encodedBytes)
    }
    public var description: String { OID.name(oid) }
}

import Crypto
import SwiftASN1

/// SubjectPublicKeyInfo as found: algorithm, named curve (if any) and the key bits.
public struct SubjectPublicKey: Hashable, Sendable {
    public let algorithm: ASN1ObjectIdentifier
    /// The named curve for EC keys; nil when the parameters are absent or not a named curve.
    public let namedCurve: ASN1ObjectIdentifier?
    /// The subjectPublicKey BIT STRING contents (for EC: the SEC1 point).
    public let keyBytes: [UInt8]
    public let unusedBits: Int
    public let der: [UInt8]

    /// From parts already known to be well formed (a template's own key slot).
    init(algorithm: ASN1ObjectIdentifier, namedCurve: ASN1ObjectIdentifier?, keyBytes: [UInt8], unusedBits: Int, der: [UInt8]) {
        self.algorithm = algorithm; self.namedCurve = namedCurve; self.keyBytes = keyBytes; self.unusedBits = unusedBits; self.der = der
    }

    init(derEncoded node: ASN1Node, field: String) throws {
        var spki = try DERReader(node, field)
        var alg = try DERReader(try spki.next("algorithm"), "\(field).algorithm")
        algorithm = try oid(try alg.next("algorithm"), "\(field).algorithm")
        if let p = alg.iterator.next(), p.identifier == .objectIdentifier {
            namedCurve = try oid(p, "\(field).algorithm.parameters")
        } else {
            namedCurve = nil
        }
        let bits = try bitString(try spki.next("subjectPublicKey"), "\(field).subjectPublicKey")
        try spki.finish()
        keyBytes = bits.bytes
        unusedBits = bits.unusedBits
        der = Array(node.encodedBytes)
    }

    /// The key when it is an EC P-256 point on the curve, uncompressed or compressed (the SDK's
    /// `ExtractPubkeyFromX509Cert` re-encodes either as the 65-byte uncompressed form).
    public var p256: P256.Signing.PublicKey? {
        guard algorithm == OID.ecPublicKey, namedCurve == OID.prime256v1, unusedBits == 0 else { return nil }
        switch keyBytes.first {
        case 0x04 where keyBytes.count == 65: return try? P256.Signing.PublicKey(x963Representation: keyBytes)
        case 0x02 where keyBytes.count == 33, 0x03 where keyBytes.count == 33:
            return try? P256.Signing.PublicKey(compressedRepresentation: keyBytes)
        default: return nil
        }
    }

    /// True for a 65-byte uncompressed P-256 point, the form matter-ca issues.
    public var isP256Uncompressed: Bool { keyBytes.count == 65 && p256 != nil }

    public var summary: String {
        if algorithm == OID.ecPublicKey {
            let curve: String
            switch namedCurve {
            case OID.prime256v1?: curve = "P-256"
            case [1, 3, 132, 0, 34]?: curve = "P-384"
            case [1, 3, 132, 0, 35]?: curve = "P-521"
            case [1, 3, 132, 0, 10]?: curve = "secp256k1"
            case let c?: curve = c.description
            case nil: curve = "explicit or absent parameters"
            }
            return "EC \(curve), \(keyBytes.count)-byte point"
        }
        if algorithm == [1, 2, 840, 113549, 1, 1, 1] { return "RSA" }
        if algorithm == [1, 3, 101, 112] { return "Ed25519" }
        return algorithm.description
    }
}

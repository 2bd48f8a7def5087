import Crypto
import SwiftASN1

/// SubjectPublicKeyInfo as found: algorithm, named curve (if any) and the key bits.
public struct SubjectPublicKey: Hashable, Sendable {
    /// The key when it is an EC P-256 point on the curve, uncompressed or compressed (the SDK's
    /// `ExtractPubkeyFromX509Cert` re-encodes either as the 65-byte uncompressed form). Decoded once, when the
    /// certificate is read: lint and verification asked for it up to four times per certificate, a microsecond each.
    public let p256: P256.Signing.PublicKey?
    public let algorithm: ASN1ObjectIdentifier
    /// The named curve for EC keys; nil when the parameters are absent or not a named curve.
    public let namedCurve: ASN1ObjectIdentifier?
    /// The subjectPublicKey BIT STRING contents (for EC: the SEC1 point).
    public let keyBytes: [UInt8]
    public let unusedBits: Int
    public let der: [UInt8]

    /// From parts already known to be well formed (a template's own key slot). `decoded`: the key `keyBytes` were
    /// encoded from, when the caller holds it (a certificate just issued for it), so it is not decoded again.
    init(algorithm: ASN1ObjectIdentifier, namedCurve: ASN1ObjectIdentifier?, keyBytes: [UInt8], unusedBits: Int, der: [UInt8],
         decoded: P256.Signing.PublicKey? = nil) {
        self.algorithm = algorithm; self.namedCurve = namedCurve; self.keyBytes = keyBytes; self.unusedBits = unusedBits; self.der = der
        p256 = decoded ?? Self.decodeP256(algorithm: algorithm, namedCurve: namedCurve, keyBytes: keyBytes, unusedBits: unusedBits)
    }

    // The decoded key is a function of the other fields: equality and hashing use those.
    public static func == (a: Self, b: Self) -> Bool {
        a.algorithm == b.algorithm && a.namedCurve == b.namedCurve && a.keyBytes == b.keyBytes && a.unusedBits == b.unusedBits && a.der == b.der
    }
    public func hash(into h: inout Hasher) { h.combine(der) }

    init(derEncoded node: ASN1Node, field: String) throws {
        // Field paths are built only when something is wrong (withFieldPath): every certificate read passes here.
        let parts = try withFieldPath(field) { () throws -> (ASN1ObjectIdentifier, ASN1ObjectIdentifier?, (bytes: [UInt8], unusedBits: Int)) in
            var spki = try DERReader(node, fieldHere)
            var alg = try DERReader(try spki.next("algorithm"), "\u{1}.algorithm")
            let algorithm = try oid(try alg.next("algorithm"), "\u{1}.algorithm")
            var namedCurve: ASN1ObjectIdentifier?
            if let p = alg.iterator.next(), p.identifier == .objectIdentifier { namedCurve = try oid(p, "\u{1}.algorithm.parameters") }
            let bits = try bitString(try spki.next("subjectPublicKey"), "\u{1}.subjectPublicKey")
            try spki.finish()
            return (algorithm, namedCurve, bits)
        }
        (algorithm, namedCurve, keyBytes, unusedBits) = (parts.0, parts.1, parts.2.bytes, parts.2.unusedBits)
        der = Array(node.encodedBytes)
        p256 = Self.decodeP256(algorithm: algorithm, namedCurve: namedCurve, keyBytes: keyBytes, unusedBits: unusedBits)
    }

    private static func decodeP256(algorithm: ASN1ObjectIdentifier, namedCurve: ASN1ObjectIdentifier?, keyBytes: [UInt8],
                                   unusedBits: Int) -> P256.Signing.PublicKey? {
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

import Crypto
import Foundation
import MatterPKI
import SwiftASN1

/// A certificate as raw DER pieces, so a test can put anything in any field (a wrong version, a secp256k1 key,
/// a duplicated extension) and sign it: the inputs the builder and the lint must refuse. Test-only.
public struct ForgedCertificate: Sendable {
    public struct Ext: Sendable {
        public var oid: ASN1ObjectIdentifier
        /// nil: criticality omitted (DEFAULT FALSE); otherwise encoded explicitly.
        public var critical: Bool?
        public var value: [UInt8]
        public init(_ oid: ASN1ObjectIdentifier, critical: Bool?, _ value: [UInt8]) {
            self.oid = oid; self.critical = critical; self.value = value
        }
        var der: [UInt8] {
            DERWriter.seq(DERWriter.oid(oid), critical.map(DERWriter.boolean) ?? [], DERWriter.octets(value))
        }
    }
    public enum Digest: Sendable { case sha256, sha1 }

    public var version: [UInt8]? = DERWriter.context(0, DERWriter.integer(2))
    public var serial: [UInt8]
    public var tbsSignatureAlgorithm: [UInt8] = DERWriter.seq(DERWriter.oid(OID.ecdsaWithSHA256))
    public var issuer: [UInt8]
    public var notBefore: [UInt8]
    public var notAfter: [UInt8]
    public var subject: [UInt8]
    public var spki: [UInt8]
    public var extensions: [Ext]
    public var signatureAlgorithm: [UInt8] = DERWriter.seq(DERWriter.oid(OID.ecdsaWithSHA256))
    public var digest: Digest = .sha256
    public var corruptSignature = false

    public init(serial: [UInt8], issuer: [UInt8], notBefore: [UInt8], notAfter: [UInt8], subject: [UInt8],
                spki: [UInt8], extensions: [Ext]) {
        self.serial = serial; self.issuer = issuer; self.notBefore = notBefore; self.notAfter = notAfter
        self.subject = subject; self.spki = spki; self.extensions = extensions
    }

    public var tbs: [UInt8] {
        var parts: [[UInt8]] = [version ?? [], serial, tbsSignatureAlgorithm, issuer,
                                DERWriter.seq(notBefore, notAfter), subject, spki]
        if !extensions.isEmpty { parts.append(DERWriter.context(3, DERWriter.seq(extensions.map(\.der)))) }
        return DERWriter.seq(parts)
    }

    public func signed(by key: P256.Signing.PrivateKey) -> [UInt8] {
        let tbs = self.tbs
        var sig: [UInt8]
        switch digest {
        case .sha256: sig = Array(try! key.signature(for: SHA256.hash(data: tbs)).derRepresentation)
        case .sha1: sig = Array(try! key.signature(for: Insecure.SHA1.hash(data: tbs)).derRepresentation)
        }
        if corruptSignature { sig[sig.count - 3] ^= 0x55 }
        return DERWriter.seq(tbs, signatureAlgorithm, DERWriter.bitString(sig))
    }

    // MARK: pieces

    public static func spki(_ key: P256.Signing.PublicKey) -> [UInt8] { Array(key.derRepresentation) }
    public static func skid(_ key: P256.Signing.PublicKey) -> [UInt8] { Array(Insecure.SHA1.hash(data: key.x963Representation)) }

    public static func basicConstraints(ca: Bool?, pathLen: Int?) -> [UInt8] {
        DERWriter.seq(ca.map(DERWriter.boolean) ?? [], pathLen.map(DERWriter.integer) ?? [])
    }
    /// keyUsage from OpenSSL-style bit flags (0x80 digitalSignature … 0x8000 decipherOnly), minimal DER.
    public static func keyUsage(_ bits: UInt32) -> [UInt8] {
        var bytes = [UInt8(bits & 0xFF)]
        if bits & 0xFF00 != 0 { bytes.append(UInt8(bits >> 8)) }
        while bytes.count > 1 && bytes.last == 0 { bytes.removeLast() }
        let last = bytes.last!
        let unused = last == 0 ? 0 : UInt8(last.trailingZeroBitCount)
        return DERWriter.bitString(bytes, unused: unused)
    }
    public static func skidValue(_ id: [UInt8]) -> [UInt8] { DERWriter.octets(id) }
    public static func akidValue(_ id: [UInt8]) -> [UInt8] { DERWriter.seq(DERWriter.context(0, constructed: false, id)) }
}

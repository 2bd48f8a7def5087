import Crypto
import Foundation
import SwiftASN1

/// An X.509 certificate parsed strictly enough to apply every Matter rule, and loosely enough to read what the
/// SDK reads (any key type or curve, any signature algorithm, any extension). Also parses a bare
/// TBSCertificate, which is how the builder lints before anything is signed.
public struct ParsedCertificate: Sendable {
    public struct Extension: Hashable, Sendable {
        public let oid: ASN1ObjectIdentifier
        public let critical: Bool
        /// The extnValue OCTET STRING contents.
        public let value: [UInt8]
        public var name: String { OID.name(oid) }
    }

    /// The whole certificate, or the TBSCertificate when parsed with `tbs:`.
    public private(set) var der: [UInt8]
    /// The TBSCertificate fields live in one immutable object, so copying a certificate costs one retain.
    final class Fields: Sendable {
        let tbsBytes: [UInt8]
        let version: Int
        let serialNumber: [UInt8]
        let tbsSignatureAlgorithm: AlgorithmIdentifier
        let issuer: Name
        let notBefore: CertificateTime
        let notAfter: CertificateTime
        let subject: Name
        let publicKey: SubjectPublicKey
        let extensions: [Extension]
        init(tbsBytes: [UInt8], version: Int, serialNumber: [UInt8], tbsSignatureAlgorithm: AlgorithmIdentifier, issuer: Name,
             notBefore: CertificateTime, notAfter: CertificateTime, subject: Name, publicKey: SubjectPublicKey, extensions: [Extension]) {
            self.tbsBytes = tbsBytes; self.version = version; self.serialNumber = serialNumber
            self.tbsSignatureAlgorithm = tbsSignatureAlgorithm; self.issuer = issuer; self.notBefore = notBefore
            self.notAfter = notAfter; self.subject = subject; self.publicKey = publicKey; self.extensions = extensions
        }
    }
    let fields: Fields

    /// A TBSCertificate view from known fields (`TBSTemplate.parsed`).
    init(fields: Fields) {
        self.fields = fields
        der = fields.tbsBytes
    }

    public var tbsBytes: [UInt8] { fields.tbsBytes }
    /// 0 = v1, 1 = v2, 2 = v3 (X.509's own numbering, as `X509_get_version`).
    public var version: Int { fields.version }
    /// The serialNumber INTEGER content octets.
    public var serialNumber: [UInt8] { fields.serialNumber }
    public var tbsSignatureAlgorithm: AlgorithmIdentifier { fields.tbsSignatureAlgorithm }
    public var issuer: Name { fields.issuer }
    public var notBefore: CertificateTime { fields.notBefore }
    public var notAfter: CertificateTime { fields.notAfter }
    public var subject: Name { fields.subject }
    public var publicKey: SubjectPublicKey { fields.publicKey }
    public var extensions: [Extension] { fields.extensions }
    /// nil for a to-be-signed certificate.
    public private(set) var signatureAlgorithm: AlgorithmIdentifier?
    public private(set) var signature: [UInt8]?

    public var isSigned: Bool { signature != nil }
    /// The algorithm the signature is (or will be) made with; the SDK reads the outer one.
    public var effectiveSignatureAlgorithm: AlgorithmIdentifier { signatureAlgorithm ?? tbsSignatureAlgorithm }

    /// A signed certificate from fields already read (`FastCertificateReader`).
    init(fields: Fields, der: [UInt8], signatureAlgorithm: AlgorithmIdentifier, signature: [UInt8]) {
        self.fields = fields
        self.der = der
        self.signatureAlgorithm = signatureAlgorithm
        self.signature = signature
    }

    /// Parses a complete certificate (DER): the well-formed case by `FastCertificateReader`, anything else (and every
    /// refusal) by the swift-asn1 path.
    public init(der: [UInt8]) throws {
        if let fast = FastCertificateReader.parse(der) { self = fast; return }
        try self.init(swiftASN1DER: der)
    }

    /// Parses a complete certificate (DER) through swift-asn1's node tree.
    init(swiftASN1DER der: [UInt8]) throws {
        let root: ASN1Node
        do { root = try DER.parse(der) } catch {
            throw CertificateParseError("certificate", "not valid DER (\(Self.describe(error)))")
        }
        var cert = try DERReader(root, "certificate")
        let tbsNode = try cert.next("tbsCertificate")
        let sigAlg = try AlgorithmIdentifier(derEncoded: try cert.next("signatureAlgorithm"), field: "signatureAlgorithm")
        let sig = try bitString(try cert.next("signatureValue"), "signatureValue")
        try cert.finish()
        guard sig.unusedBits == 0 else { throw CertificateParseError("signatureValue", "BIT STRING has unused bits") }
        try self.init(tbsNode: tbsNode, whole: der, signatureAlgorithm: sigAlg, signature: sig.bytes)
    }

    /// The signed certificate `der` whose TBSCertificate was already parsed as `signedTBS`: only the outer
    /// SEQUENCE, the signature algorithm and the signature are read (the builder's path: one parse per certificate).
    public init(der: [UInt8], signedTBS tbs: ParsedCertificate) throws {
        guard der.count > 4, der[0] == 0x30 else { throw CertificateParseError("certificate", "not a SEQUENCE") }
        let header = der[1] < 0x80 ? 2 : 2 + Int(der[1] & 0x7F)
        let tbsEnd = header + tbs.tbsBytes.count
        guard tbsEnd < der.count, der[header..<tbsEnd].elementsEqual(tbs.tbsBytes) else {
            throw CertificateParseError("certificate", "does not contain the parsed tbsCertificate")
        }
        let tail: ASN1Node
        do { tail = try DER.parse([0x30] + DERLength.encode(der.count - tbsEnd) + der[tbsEnd...]) } catch {
            throw CertificateParseError("certificate", "signature fields are not valid DER")
        }
        var r = try DERReader(tail, "certificate")
        let sigAlg = try AlgorithmIdentifier(derEncoded: try r.next("signatureAlgorithm"), field: "signatureAlgorithm")
        let sig = try bitString(try r.next("signatureValue"), "signatureValue")
        try r.finish()
        self = tbs
        self.der = der
        self.signatureAlgorithm = sigAlg
        self.signature = sig.bytes
    }

    /// Parses a TBSCertificate (DER) that has not been signed yet.
    public init(tbs: [UInt8]) throws {
        let node: ASN1Node
        do { node = try DER.parse(tbs) } catch {
            throw CertificateParseError("tbsCertificate", "not valid DER (\(Self.describe(error)))")
        }
        try self.init(tbsNode: node, whole: tbs, signatureAlgorithm: nil, signature: nil)
    }

    private init(tbsNode: ASN1Node, whole: [UInt8], signatureAlgorithm: AlgorithmIdentifier?, signature: [UInt8]?) throws {
        var tbs = try DERReader(tbsNode, "tbsCertificate")
        let version: Int
        var first = try tbs.next("serialNumber")
        let versionTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        if first.identifier == versionTag {
            var v = try DERReader(first, "tbsCertificate.version", tag: versionTag)
            version = try smallInteger(try v.next("value"), "tbsCertificate.version")
            try v.finish()
            first = try tbs.next("serialNumber")
        } else {
            version = 0
        }
        let serial = try primitive(first, .integer, "tbsCertificate.serialNumber")
        guard !serial.isEmpty else { throw CertificateParseError("tbsCertificate.serialNumber", "empty INTEGER") }
        let serialNumber = Array(serial)
        let tbsSignatureAlgorithm = try AlgorithmIdentifier(derEncoded: try tbs.next("signature"), field: "tbsCertificate.signature")
        let issuer = try Name(derEncoded: try tbs.next("issuer"), field: "tbsCertificate.issuer")
        var validity = try DERReader(try tbs.next("validity"), "tbsCertificate.validity")
        let notBefore = try CertificateTime(try validity.next("notBefore"), "tbsCertificate.validity.notBefore")
        let notAfter = try CertificateTime(try validity.next("notAfter"), "tbsCertificate.validity.notAfter")
        try validity.finish()
        let subject = try Name(derEncoded: try tbs.next("subject"), field: "tbsCertificate.subject")
        let publicKey = try SubjectPublicKey(derEncoded: try tbs.next("subjectPublicKeyInfo"), field: "tbsCertificate.subjectPublicKeyInfo")
        var exts: [Extension] = []
        while let node = tbs.iterator.next() {
            let tag = node.identifier
            if tag == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
                || tag == ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific) {
                continue  // issuerUniqueID / subjectUniqueID: not used by Matter, tolerated as OpenSSL does
            }
            let extTag = ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)
            guard tag == extTag else { throw CertificateParseError("tbsCertificate", "unexpected element \(tag)") }
            var wrapper = try DERReader(node, "tbsCertificate.extensions", tag: extTag)
            var list = try DERReader(try wrapper.next("list"), "tbsCertificate.extensions")
            try wrapper.finish()
            while let e = list.iterator.next() {
                let ext = try withFieldPath("tbsCertificate.extensions[\(exts.count)]") { () throws -> Extension in
                    var r = try DERReader(e, fieldHere)
                    let id = try oid(try r.next("extnID"), "\u{1}.extnID")
                    var valueNode = try r.next("extnValue")
                    var critical = false
                    if valueNode.identifier == .boolean {
                        critical = try boolean(valueNode, "\u{1}.critical")
                        valueNode = try r.next("extnValue")
                    }
                    let value = try primitive(valueNode, .octetString, "\u{1}.extnValue")
                    try r.finish()
                    return Extension(oid: id, critical: critical, value: Array(value))
                }
                exts.append(ext)
            }
            guard !exts.isEmpty else { throw CertificateParseError("tbsCertificate.extensions", "empty extensions list") }
        }
        try tbs.finish()
        fields = Fields(tbsBytes: Array(tbsNode.encodedBytes), version: version, serialNumber: serialNumber,
                        tbsSignatureAlgorithm: tbsSignatureAlgorithm, issuer: issuer, notBefore: notBefore, notAfter: notAfter,
                        subject: subject, publicKey: publicKey, extensions: exts)
        der = whole
        self.signatureAlgorithm = signatureAlgorithm
        self.signature = signature
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? ASN1Error { return "\(e.code)" }
        return "\(error)"
    }

    // MARK: conveniences

    public func extensions(_ oid: ASN1ObjectIdentifier) -> [Extension] { extensions.filter { $0.oid == oid } }

    /// SKID bytes when exactly one well-formed SKID extension is present.
    public var subjectKeyIdentifier: [UInt8]? {
        let e = extensions(OID.subjectKeyIdentifier)
        guard e.count == 1 else { return nil }
        return try? SubjectKeyIdentifierValue(e[0].value).keyIdentifier
    }

    /// AKID keyIdentifier when exactly one well-formed AKID extension is present.
    public var authorityKeyIdentifier: [UInt8]? {
        let e = extensions(OID.authorityKeyIdentifier)
        guard e.count == 1 else { return nil }
        return try? AuthorityKeyIdentifierValue(e[0].value).keyIdentifier
    }

    /// Serial as uppercase hex of its content octets (the Matter revocation-set form for ≤ 20-byte serials).
    public var serialHex: String { serialNumber.hexString }

    public var sha256: [UInt8] { Array(SHA256.hash(data: der)) }

    /// Verifies this certificate's signature with an issuer's public key (P-256, ecdsa-with-SHA256 only:
    /// the only combination the Matter profile allows).
    public func isSignatureValid(issuerKey: SubjectPublicKey) -> Bool {
        guard let key = issuerKey.p256 else { return false }
        return isSignatureValid(issuerKey: key)
    }

    /// The same with the key already decoded (decoding a point costs as much as a hash; callers keep it).
    public func isSignatureValid(issuerKey key: P256.Signing.PublicKey) -> Bool {
        guard let signature, signatureAlgorithm?.oid == OID.ecdsaWithSHA256,
              let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
        return key.isValidSignature(sig, for: tbsBytes)
    }
}

extension Collection where Element == UInt8 {
    /// Uppercase hex, no separators.
    public var hexString: String { hex(Array("0123456789ABCDEF".utf8)) }
    /// Lowercase hex, no separators (`String(format: "%02x")` per byte costs a token lookup's worth of time).
    public var lowercaseHexString: String { hex(Array("0123456789abcdef".utf8)) }

    private func hex(_ digits: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Parses hex (either case, optional ':' or spaces); nil on anything else.
    public init?(hex: String) {
        // Byte by byte for plain hex (a CRL reads a million ledger serials through here); anything else takes the
        // general path below, which decides as it always has.
        if let fast = Self.plainHex(hex) { self = fast; return }
        let cleaned = hex.filter { $0 != ":" && $0 != " " && $0 != "\n" }
        guard cleaned.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(cleaned.count / 2)
        var it = cleaned.makeIterator()
        while let a = it.next(), let b = it.next() {
            guard let v = UInt8(String([a, b]), radix: 16) else { return nil }
            out.append(v)
        }
        self = out
    }

    /// Hex digits and the separators ':', ' ', '\n' only, an even number of digits; nil for anything else.
    static func plainHex(_ s: String) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count / 2)
        var high: UInt8?
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x41...0x46: v = c - 0x37
            case 0x61...0x66: v = c - 0x57
            case 0x3A, 0x20, 0x0A: continue
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return high == nil ? out : nil
    }
}

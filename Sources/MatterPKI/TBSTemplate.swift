import Crypto
import Foundation

/// A DAC to-be-signed template: the bytes of a reference TBSCertificate that passed the full Matter lint (issuance
/// policy and the issuer rules), with the per-device fields as slots — serial, validity, subject public key, SKID.
/// A batch signs thousands of DACs that differ only there, so each one is assembled from the reference's own bytes
/// and linted on its exact bytes by `lint`: every byte outside the slots must equal the reference's, and every slot
/// must meet the rules that govern it. Nothing about a device is taken on trust; only the re-parse is saved.
public struct TBSTemplate: Sendable {
    public struct Unsupported: Error, CustomStringConvertible { public let description: String }

    let issuer: ParsedCertificate
    let referenceTBS: ParsedCertificate
    let version: [UInt8], signature: [UInt8], issuerName: [UInt8], subject: [UInt8]
    let extensionsPrefix: [UInt8], extensionsSuffix: [UInt8]
    let serialLength: Int
    /// notAfter is fixed (no well-defined expiry) or notBefore + this many seconds.
    let fixedNotAfter: CertificateTime?
    let lifetime: Int64
    static let spkiP256Prefix: [UInt8] = [0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
                                          0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00]

    /// `reference` must already have passed `MatterProfile.lint` and `lintIssuer` against `issuer` (the builder's
    /// general path does that before it is used here).
    public init(reference: ParsedCertificate, issuer: ParsedCertificate) throws {
        func fail(_ why: String) -> Unsupported { Unsupported(description: "no DAC template: \(why)") }
        self.issuer = issuer
        referenceTBS = reference
        let bytes = reference.tbsBytes[...]
        var outer = TLVCursor(bytes)
        guard let body = try? outer.expect(0x30, "tbsCertificate") else { throw fail("not a TBSCertificate") }
        var c = TLVCursor(body)
        do {
            version = Array(try c.element(0xA0, "version"))
            let serial = try c.expect(0x02, "serialNumber")
            serialLength = serial.count
            signature = Array(try c.element(0x30, "signature"))
            issuerName = Array(try c.element(0x30, "issuer"))
            _ = try c.element(0x30, "validity")
            subject = Array(try c.element(0x30, "subject"))
            let spki = Array(try c.element(0x30, "subjectPublicKeyInfo"))
            guard spki.count == 91, Array(spki.prefix(26)) == Self.spkiP256Prefix else { throw fail("not an uncompressed P-256 key") }
            let extensions = Array(try c.element(0xA3, "extensions"))
            guard c.atEnd else { throw fail("fields after the extensions") }
            guard let skid = reference.subjectKeyIdentifier, skid.count == 20,
                  let at = Self.find([0x04, 0x14] + skid, in: extensions) else { throw fail("no 20-byte SKID") }
            extensionsPrefix = Array(extensions[..<(at + 2)])
            extensionsSuffix = Array(extensions[(at + 22)...])
        } catch let e as Unsupported { throw e } catch { throw fail("\(error)") }
        guard serialLength >= 8, serialLength <= 20 else { throw fail("serial length \(serialLength)") }
        if reference.notAfter.isNoWellDefinedExpiration { fixedNotAfter = reference.notAfter; lifetime = 0 } else {
            fixedNotAfter = nil; lifetime = reference.notAfter.secondsSince1970 - reference.notBefore.secondsSince1970
        }
    }

    /// The notAfter this template gives a certificate that starts at `notBefore`.
    public func notAfter(notBefore: Int64) -> Int64 { fixedNotAfter?.secondsSince1970 ?? notBefore + lifetime }

    /// The TBS bytes for one device.
    public func tbs(serial: [UInt8], notBefore: Int64, publicKey: [UInt8], skid: [UInt8]) -> [UInt8] {
        var validity: [UInt8] = []
        CertificateTime.appendDER(notBefore, to: &validity)
        CertificateTime.appendDER(notAfter(notBefore: notBefore), to: &validity)
        var body: [UInt8] = []
        body.reserveCapacity(version.count + serial.count + signature.count + issuerName.count + subject.count + extensionsPrefix.count + 200)
        body += version
        body.append(0x02); body.append(UInt8(serial.count)); body += serial
        body += signature; body += issuerName
        body.append(0x30); body.append(UInt8(validity.count)); body += validity
        body += subject; body += Self.spkiP256Prefix; body += publicKey
        body += extensionsPrefix; body += skid; body += extensionsSuffix
        var out: [UInt8] = [0x30]
        DERLength.append(body.count, to: &out)
        out += body
        return out
    }

    /// The lint of one templated TBS, on its exact bytes: the constant parts equal the linted reference's, the
    /// serial meets the serial rules, the validity is ordered and nests within the issuer's, the key is the
    /// requested P-256 point, and the SKID is its SHA-1.
    public func lint(_ tbs: [UInt8], publicKey: [UInt8]) -> [ProfileViolation] {
        var out: [ProfileViolation] = []
        func fail(_ rule: MatterRule, _ d: String) { out.append(ProfileViolation(rule, .dac, d)) }
        var outer = TLVCursor(tbs[...])
        guard let body = try? outer.expect(0x30, "tbsCertificate"), outer.atEnd else {
            fail(.mustMatchLintedTemplate, "not one TBSCertificate"); return out
        }
        var c = TLVCursor(body)
        func constant(_ tag: UInt8, _ expected: [UInt8], _ field: String) {
            guard let e = try? c.element(tag, field), e.elementsEqual(expected) else { fail(.mustMatchLintedTemplate, "\(field) differs from the linted template"); return }
        }
        constant(0xA0, version, "version")
        if let serial = try? c.expect(0x02, "serialNumber") {
            if serial.isEmpty || serial.first! & 0x80 != 0 || serial.allSatisfy({ $0 == 0 }) || serial.count > 20 {
                fail(.serialNumberMustBePositiveAndAtMost20Bytes, "serial \(serial.hexString)")
            }
            if serial.count < 8 || serial.first == 0 { fail(.serialNumberMustHaveAtLeast8Bytes, "serial \(serial.hexString) has \(serial.count) octets") }
        } else { fail(.mustMatchLintedTemplate, "serialNumber missing") }
        constant(0x30, signature, "signature")
        constant(0x30, issuerName, "issuer")
        if let validity = try? c.expect(0x30, "validity") {
            var v = TLVCursor(validity)
            let nb = Self.readTime(&v), na = Self.readTime(&v)
            if let nb, let na, v.atEnd {
                if nb >= na { fail(.validityMustNotBeEmpty, "notBefore \(nb) is not before notAfter \(na)") }
                if nb < issuer.notBefore || nb > issuer.notAfter { fail(.notBeforeMustBeWithinIssuerValidity, "notBefore \(nb) is outside the PAI validity") }
                if na > issuer.notAfter { fail(.validityMustNestWithinIssuer, "notAfter \(na) is after the PAI notAfter \(issuer.notAfter)") }
                if na.secondsSince1970 != notAfter(notBefore: nb.secondsSince1970) { fail(.mustMatchLintedTemplate, "notAfter is not the template's lifetime") }
            } else { fail(.mustMatchLintedTemplate, "validity malformed") }
        } else { fail(.mustMatchLintedTemplate, "validity missing") }
        constant(0x30, subject, "subject")
        if let spki = try? c.element(0x30, "subjectPublicKeyInfo"), spki.count == 91, spki.prefix(26).elementsEqual(Self.spkiP256Prefix) {
            if !spki.dropFirst(26).elementsEqual(publicKey) || publicKey.count != 65 || publicKey.first != 0x04 {
                fail(.publicKeyMustBeUncompressed, "the subject public key is not the requested uncompressed P-256 point")
            }
            if let ext = try? c.element(0xA3, "extensions"), ext.count == extensionsPrefix.count + 20 + extensionsSuffix.count,
               ext.prefix(extensionsPrefix.count).elementsEqual(extensionsPrefix), ext.suffix(extensionsSuffix.count).elementsEqual(extensionsSuffix) {
                let skid = ext.dropFirst(extensionsPrefix.count).prefix(20)
                if !skid.elementsEqual(Insecure.SHA1.hash(data: publicKey)) { fail(.mustMatchLintedTemplate, "SKID is not the SHA-1 of the key") }
            } else { fail(.mustMatchLintedTemplate, "extensions differ from the linted template") }
        } else { fail(.publicKeyMustBeP256, "subjectPublicKeyInfo is not an uncompressed P-256 key") }
        if !c.atEnd { fail(.mustMatchLintedTemplate, "fields after the extensions") }
        return out
    }

    /// The parsed view of a templated TBS that passed `lint`, built from the reference instead of re-parsed.
    /// `key`: the P-256 key `publicKey` is the X9.63 encoding of, when the caller holds it (not decoded again).
    public func parsed(tbs: [UInt8], serial: [UInt8], notBefore: Int64, publicKey: [UInt8], skid: [UInt8], key decoded: P256.Signing.PublicKey? = nil) -> ParsedCertificate {
        let r = referenceTBS
        let nb = CertificateTime(secondsSince1970: notBefore, encoding: CertificateTime.encoding(forSeconds: notBefore))
        let naSeconds = notAfter(notBefore: notBefore)
        let na = fixedNotAfter ?? CertificateTime(secondsSince1970: naSeconds, encoding: CertificateTime.encoding(forSeconds: naSeconds))
        var spkiDER = Self.spkiP256Prefix; spkiDER += publicKey
        let key = SubjectPublicKey(algorithm: r.publicKey.algorithm, namedCurve: r.publicKey.namedCurve, keyBytes: publicKey, unusedBits: 0, der: spkiDER, decoded: decoded)
        let extensions = r.extensions.map { e in
            e.oid == OID.subjectKeyIdentifier ? ParsedCertificate.Extension(oid: e.oid, critical: e.critical, value: [0x04, 0x14] + skid) : e
        }
        return ParsedCertificate(fields: .init(tbsBytes: tbs, version: r.version, serialNumber: serial, tbsSignatureAlgorithm: r.tbsSignatureAlgorithm,
                                               issuer: r.issuer, notBefore: nb, notAfter: na, subject: r.subject, publicKey: key, extensions: extensions))
    }

    static func readTime(_ c: inout TLVCursor) -> CertificateTime? {
        guard let tag = c.peekTag, tag == 0x17 || tag == 0x18, let b = try? c.expect(tag, "time") else { return nil }
        return CertificateTime(bytes: b, generalized: tag == 0x18)
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }
}

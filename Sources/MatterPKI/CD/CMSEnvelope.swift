import Crypto

/// The Certification Declaration's CMS SignedData envelope (matter-attestation.md §2.5.1): encoding, and the
/// SDK's two readers — `CMS_ExtractKeyId` (its failures are result 600) and `CMS_Verify` (602).
public enum CMSEnvelope {
    static let signedData: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
    static let pkcs7Data: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01]
    static let sha256: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
    static let ecdsaWithSHA256: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// SignedData{v3, sha256, pkcs7-data content, one SignerInfo{v3, sid [0] keyID, sha256, ecdsa-with-SHA256}},
    /// the signature over the raw content bytes — the only shape the SDK reads.
    public static func sign(content: [UInt8], keyID: [UInt8], sign: (SHA256Digest) throws -> [UInt8]) rethrows -> [UInt8] {
        let signature = try sign(SHA256.hash(data: content))
        func tlv(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] { [tag] + DERLength.encode(body.count) + body }
        let algSHA256 = tlv(0x30, tlv(0x06, sha256))
        let signerInfo = tlv(0x30, tlv(0x02, [3]) + tlv(0x80, keyID) + algSHA256 + tlv(0x30, tlv(0x06, ecdsaWithSHA256)) + tlv(0x04, signature))
        let signed = tlv(0x30, tlv(0x02, [3]) + tlv(0x31, algSHA256) + tlv(0x30, tlv(0x06, pkcs7Data) + tlv(0xA0, tlv(0x04, content)))
                             + tlv(0x31, signerInfo))
        return tlv(0x30, tlv(0x06, signedData) + tlv(0xA0, signed))
    }

    /// `DecodeSignerInfo`: exactly one SignerInfo, v3, any-length sid [0], sha256 and ecdsa-with-SHA256 without
    /// parameters, a DER signature the SDK can convert; nothing after it.
    static func signerInfo(_ r: SDKASN1Reader, _ c: inout SDKASN1Reader.Container) throws -> (keyID: [UInt8], raw: [UInt8]) {
        var set = try r.enter(&c, tag: 0x11)
        var si = try r.enter(&set, tag: 0x10)
        guard try r.integer(try r.element(&si, tag: 0x02)) == 3 else { throw Failure(description: "SignerInfo version is not 3") }
        let kid = r.value(try r.element(&si, tagClass: 0x80, tag: 0))
        var digest = try r.enter(&si, tag: 0x10)
        guard r.value(try r.element(&digest, tag: 0x06)) == sha256 else { throw Failure(description: "SignerInfo digest algorithm is not sha256") }
        try r.exit(digest)
        var alg = try r.enter(&si, tag: 0x10)
        guard r.value(try r.element(&alg, tag: 0x06)) == ecdsaWithSHA256 else { throw Failure(description: "SignerInfo signature algorithm is not ecdsa-with-SHA256") }
        try r.exit(alg)
        let der = r.value(try r.element(&si, tag: 0x04))
        guard let raw = ecdsaDERToRaw(der) else { throw Failure(description: "SignerInfo signature is not a DER ECDSA signature") }
        try r.exit(si)
        try r.exit(set)
        return (kid, raw)
    }

    /// `CMS_ExtractKeyId`.
    public static func keyID(_ cms: [UInt8]) throws -> [UInt8] {
        let r = SDKASN1Reader(bytes: cms)
        do {
            var top = r.top
            var ci = try r.enter(&top, tag: 0x10)
            _ = try r.any(&ci)
            var explicit = try r.enter(&ci, tagClass: 0x80, tag: 0)
            var sd = try r.enter(&explicit, tag: 0x10)
            _ = try r.any(&sd); _ = try r.any(&sd); _ = try r.any(&sd)
            let kid = try signerInfo(r, &sd).keyID
            try r.exit(sd); try r.exit(explicit); try r.exit(ci)
            return kid
        } catch let e as SDKASN1Reader.Failure { throw Failure(description: e.reason) }
    }

    /// `CMS_Verify`: the envelope's exact shape and the signature with `key`; returns the CD content.
    public static func verifiedContent(_ cms: [UInt8], key: P256.Signing.PublicKey) throws -> [UInt8] {
        let r = SDKASN1Reader(bytes: cms)
        let content: [UInt8], raw: [UInt8]
        do {
            var top = r.top
            var ci = try r.enter(&top, tag: 0x10)
            guard r.value(try r.element(&ci, tag: 0x06)) == signedData else { throw Failure(description: "contentType is not signedData") }
            var explicit = try r.enter(&ci, tagClass: 0x80, tag: 0)
            var sd = try r.enter(&explicit, tag: 0x10)
            guard try r.integer(try r.element(&sd, tag: 0x02)) == 3 else { throw Failure(description: "SignedData version is not 3") }
            var digests = try r.enter(&sd, tag: 0x11)
            var d = try r.enter(&digests, tag: 0x10)
            guard r.value(try r.element(&d, tag: 0x06)) == sha256 else { throw Failure(description: "digest algorithm is not sha256") }
            try r.exit(d); try r.exit(digests)
            var encap = try r.enter(&sd, tag: 0x10)
            guard r.value(try r.element(&encap, tag: 0x06)) == pkcs7Data else { throw Failure(description: "eContentType is not pkcs7-data") }
            var econtent = try r.enter(&encap, tagClass: 0x80, tag: 0)
            content = r.value(try r.element(&econtent, tag: 0x04))
            try r.exit(econtent); try r.exit(encap)
            raw = try signerInfo(r, &sd).raw
            try r.exit(sd); try r.exit(explicit); try r.exit(ci)
        } catch let e as SDKASN1Reader.Failure { throw Failure(description: e.reason) }
        guard !content.isEmpty else { throw Failure(description: "eContent is empty") }
        guard let sig = try? P256.Signing.ECDSASignature(rawRepresentation: raw),
              key.isValidSignature(sig, for: SHA256.hash(data: content)) else {
            throw Failure(description: "the CD signature does not verify with the signing key")
        }
        return content
    }
}

import Crypto
import MatterPKI
import SwiftASN1

/// A CD CMS envelope as parts, so a test can change any of them: the envelope mutations of the differential test.
public struct CMSForge: Sendable {
    public static let sha256 = DERWriter.seq(DERWriter.oid([2, 16, 840, 1, 101, 3, 4, 2, 1]))
    public static let sha1 = DERWriter.seq(DERWriter.oid([1, 3, 14, 3, 2, 26]))
    public static let ecdsaSHA256 = DERWriter.seq(DERWriter.oid(OID.ecdsaWithSHA256))
    public static let ecdsaSHA1 = DERWriter.seq(DERWriter.oid(OID.ecdsaWithSHA1))
    public static let signedData = DERWriter.oid([1, 2, 840, 113549, 1, 7, 2])
    public static let pkcs7Data = DERWriter.oid([1, 2, 840, 113549, 1, 7, 1])

    public struct Signer: Sendable {
        public var version: [UInt8] = DERWriter.integer(3)
        public var sid: [UInt8]
        public var digestAlgorithm = CMSForge.sha256
        public var signedAttributes: [UInt8]? = nil
        public var signatureAlgorithm = CMSForge.ecdsaSHA256
        public var signature: [UInt8]
        public var unsignedAttributes: [UInt8]? = nil
        var der: [UInt8] {
            DERWriter.seq([version, sid, digestAlgorithm, signedAttributes ?? [], signatureAlgorithm, DERWriter.octets(signature), unsignedAttributes ?? []])
        }
    }

    public var contentType = CMSForge.signedData
    public var version: [UInt8] = DERWriter.integer(3)
    public var digestAlgorithms: [UInt8] = DERWriter.set(CMSForge.sha256)
    public var eContentType = CMSForge.pkcs7Data
    public var content: [UInt8]
    public var certificates: [UInt8]? = nil
    public var signers: [Signer]
    public var trailing: [UInt8] = []

    /// A valid envelope: `content` signed by `key` under `keyID`.
    public init(content: [UInt8], keyID: [UInt8], key: P256.Signing.PrivateKey) {
        self.content = content
        let sig = Array(try! key.signature(for: SHA256.hash(data: content)).derRepresentation)
        signers = [Signer(sid: DERWriter.tlv(0x80, keyID), signature: sig)]
    }

    public var der: [UInt8] {
        let encap = DERWriter.seq(eContentType, DERWriter.context(0, DERWriter.octets(content)))
        let sd = DERWriter.seq([version, digestAlgorithms, encap, certificates ?? [], DERWriter.tlv(0x31, signers.flatMap(\.der))])
        return DERWriter.seq(contentType, DERWriter.context(0, sd)) + trailing
    }
}

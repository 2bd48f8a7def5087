import CPKCS11
import Crypto
import Foundation
import Metrics

/// A CA key inside a PKCS#11 token. SHA-256 is computed locally and the token signs the digest with raw
/// CKM_ECDSA (SoftHSM2 has no CKM_ECDSA_SHA256); r‖s is converted to DER. The key never leaves the token.
public struct PKCS11Signer: Signer {
    public let pool: SessionPool
    public let keyID: [UInt8]
    public let label: String
    /// The private key's object handle, found again if the token invalidates it (a re-opened login).
    let privateKey: KeyHandle
    public let publicKey: P256.Signing.PublicKey

    public var keyDescription: String { "PKCS#11 token \"\(pool.tokenLabel)\" key \"\(label)\" (CKA_ID \(keyID.map { String(format: "%02X", $0) }.joined()))" }

    /// The key pair whose CKA_ID is `keyID` (matter-ca uses the key's SKID).
    public init(pool: SessionPool, keyID: [UInt8]) throws {
        self.pool = pool
        self.keyID = keyID
        let found: (UInt, UInt, [UInt8], [UInt8]) = try pool.withSession { s in
            guard let priv = try pool.module.find(session: s, objectClass: MCA_CKO_PRIVATE_KEY, id: keyID).first,
                  let pub = try pool.module.find(session: s, objectClass: MCA_CKO_PUBLIC_KEY, id: keyID).first else {
                throw PKCS11LoadError.keyNotFound(id: keyID.map { String(format: "%02X", $0) }.joined())
            }
            return (priv, pub, try pool.module.attribute(session: s, object: pub, type: MCA_CKA_EC_POINT),
                    try pool.module.attribute(session: s, object: priv, type: MCA_CKA_LABEL))
        }
        privateKey = KeyHandle(found.0)
        label = String(decoding: found.3, as: UTF8.self)
        publicKey = try Self.point(fromECPoint: found.2)
    }

    /// Generates a P-256 key pair inside the token (sensitive, never extractable) and gives it CKA_ID = SKID
    /// (SHA-1 of the public point), known only once the key exists.
    public static func generate(pool: SessionPool, label: String) throws -> PKCS11Signer {
        let temporaryID = Array(UUID().uuidString.utf8)
        let skid: [UInt8] = try pool.withSession { s in
            var pub: UInt = 0, priv: UInt = 0
            try PKCS11Error.check(mca_p11_generate_p256(pool.module.handle, s, temporaryID, UInt(temporaryID.count), label, &pub, &priv),
                                  "C_GenerateKeyPair")
            do {
                let point = try point(fromECPoint: try pool.module.attribute(session: s, object: pub, type: MCA_CKA_EC_POINT))
                let skid = Array(Insecure.SHA1.hash(data: point.x963Representation))
                try PKCS11Error.check(mca_p11_set_id(pool.module.handle, s, pub, skid, UInt(skid.count)), "C_SetAttributeValue(CKA_ID)")
                try PKCS11Error.check(mca_p11_set_id(pool.module.handle, s, priv, skid, UInt(skid.count)), "C_SetAttributeValue(CKA_ID)")
                return skid
            } catch {
                _ = mca_p11_destroy(pool.module.handle, s, pub)
                _ = mca_p11_destroy(pool.module.handle, s, priv)
                throw error
            }
        }
        return try PKCS11Signer(pool: pool, keyID: skid)
    }

    /// The public half of the key pair `keyID`: a public object, readable without logging in.
    public static func publicKey(pool: SessionPool, keyID: [UInt8]) throws -> P256.Signing.PublicKey {
        let point: [UInt8] = try pool.withSession { s in
            guard let pub = try pool.module.find(session: s, objectClass: MCA_CKO_PUBLIC_KEY, id: keyID).first else {
                throw PKCS11LoadError.keyNotFound(id: keyID.map { String(format: "%02X", $0) }.joined())
            }
            return try pool.module.attribute(session: s, object: pub, type: MCA_CKA_EC_POINT)
        }
        return try Self.point(fromECPoint: point)
    }

    /// Removes the key pair (a ceremony that did not complete leaves nothing behind).
    public func destroy() throws {
        try pool.withSession { s in
            for cls in [MCA_CKO_PRIVATE_KEY, MCA_CKO_PUBLIC_KEY] {
                for o in try pool.module.find(session: s, objectClass: cls, id: keyID) {
                    try PKCS11Error.check(mca_p11_destroy(pool.module.handle, s, o), "C_DestroyObject")
                }
            }
        }
    }

    /// Token signing latency (a histogram once a metrics backend is bootstrapped, as `serve` does).
    static let latency = Metrics.Timer(label: "matter_ca_signing_seconds")

    public func sign(digest: SHA256Digest) throws -> [UInt8] {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { Self.latency.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start)) }
        let d = Array(digest)
        func once() throws -> [UInt8] {
            try pool.withSession { s in
                var sig = [UInt8](repeating: 0, count: 64)
                var len: UInt = 64
                try PKCS11Error.check(mca_p11_sign_ecdsa(pool.module.handle, s, privateKey.value, d, UInt(d.count), &sig, &len), "C_Sign(CKM_ECDSA)")
                return Array(sig.prefix(Int(len)))
            }
        }
        let raw: [UInt8]
        do { raw = try once() } catch let e as PKCS11Error where e.rv == 0x82 /* OBJECT_HANDLE_INVALID */ || e.rv == 0x60 /* KEY_HANDLE_INVALID */ {
            let found = try pool.withSession { s in try pool.module.find(session: s, objectClass: MCA_CKO_PRIVATE_KEY, id: keyID).first }
            guard let handle = found else { throw PKCS11LoadError.keyNotFound(id: keyID.map { String(format: "%02X", $0) }.joined()) }
            privateKey.value = handle
            raw = try once()
        }
        return Array(try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation)
    }

    /// Reads an attribute of the private key through this layer (tests use it to show CKA_VALUE is refused).
    public func privateKeyAttribute(_ type: UInt) throws -> [UInt8] {
        try pool.withSession { s in try pool.module.attribute(session: s, object: privateKey.value, type: type) }
    }

    /// CKA_EC_POINT is a DER OCTET STRING around the uncompressed point (SoftHSM2; some modules give the raw point).
    static func point(fromECPoint bytes: [UInt8]) throws -> P256.Signing.PublicKey {
        var p = bytes
        if p.count == 67, p[0] == 0x04, p[1] == 65 { p = Array(p[2...]) }
        else if p.count == 68, p[0] == 0x04, p[1] == 0x81, p[2] == 65 { p = Array(p[3...]) }
        return try P256.Signing.PublicKey(x963Representation: p)
    }
}

/// A token object handle shared by copies of a signer, replaced when the token invalidates it.
final class KeyHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var handle: UInt
    init(_ h: UInt) { handle = h }
    var value: UInt {
        get { lock.withLock { handle } }
        set { lock.withLock { handle = newValue } }
    }
}

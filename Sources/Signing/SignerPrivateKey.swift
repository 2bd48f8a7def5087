import Crypto
import Foundation
import SwiftASN1
import X509

/// Bridges a `Signer` to swift-certificates' `CustomPrivateKey`, so `Certificate(…, issuerPrivateKey:)`
/// signs through it, by the one signing primitive (`Signer.signChecked`). `beforeSigning` sees the exact to-be-signed
/// bytes first and may refuse them by throwing: that is where the builder lints, so a refused certificate never
/// reaches the key.
public struct SignerPrivateKey: CustomPrivateKey {
    public let signer: any Signer
    let beforeSigning: (@Sendable ([UInt8]) throws -> Void)?

    public init(_ signer: any Signer, beforeSigning: (@Sendable ([UInt8]) throws -> Void)? = nil) {
        self.signer = signer
        self.beforeSigning = beforeSigning
    }

    public var publicKey: Certificate.PublicKey { Certificate.PublicKey(signer.publicKey) }
    public var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { .ecdsaWithSHA256 }
    public var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [.ecdsaWithSHA256] }

    public func signSynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        guard signatureAlgorithm == .ecdsaWithSHA256 else { throw SignerError.unsupportedAlgorithm("\(signatureAlgorithm)") }
        let der = try signer.signChecked(Array(bytes)) { tbs in try beforeSigning?(tbs) }
        return try Certificate.Signature(signatureAlgorithm: .ecdsaWithSHA256, signatureBytes: ASN1BitString(bytes: der[...]))
    }

    public static func == (a: Self, b: Self) -> Bool { a.signer.publicKey.rawRepresentation == b.signer.publicKey.rawRepresentation }
    public func hash(into h: inout Hasher) { h.combine(signer.publicKey.rawRepresentation) }

    // A CA key is never serialized: PEMSerializable is required by the protocol, not used.
    public static var defaultPEMDiscriminator: String { "PRIVATE KEY" }
    public func serialize(into coder: inout DER.Serializer) throws { throw SignerError.keyNotExportable }
}

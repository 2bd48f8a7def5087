import Crypto
import Foundation
import MatterPKI
import Signing
import SwiftASN1
import X509

/// PKCS#10 requests for a CA key this authority holds but does not certify itself: a PAI whose PAA is run by
/// someone else. swift-certificates builds the CertificationRequestInfo; the signer (a token key) signs it through
/// `SignerPrivateKey`, so the signature is checked with the key's public half like every other signature here.
public enum CSRBuilder {
    public struct Request: Sendable {
        public let der: [UInt8]
        public let pem: String
    }

    /// The subject is the one a local PAI of `spec` would carry (CN, then the Matter VID/PID attributes, or the CN
    /// fallback the template asks for). The request also asks for the PAI profile's extensions (basicConstraints
    /// CA pathlen 0, keyUsage keyCertSign|cRLSign, SKID of the key): a PAA operator who copies requested extensions
    /// then gets them right; one who does not is checked at import anyway.
    public static func request(_ spec: CertificateSpec, signer: any Signer) throws -> Request {
        guard signer.publicKey.x963Representation == spec.publicKey.x963Representation else {
            throw BuilderError.signerDoesNotMatchIssuer("a certificate request must be signed by the key it names")
        }
        guard spec.type == .pai || spec.type == .paa else { throw BuilderError.encodingFailed("certificate requests are made for CA keys only, not \(spec.type)") }
        do {
            let subject = try CertificateBuilder.subjectName(spec)
            let bc: BasicConstraints = spec.type == .pai ? .isCertificateAuthority(maxPathLength: 0)
                : .isCertificateAuthority(maxPathLength: spec.paaPathLengthOne ? 1 : nil)
            let extensions = try Certificate.Extensions([
                try Certificate.Extension(bc, critical: true),
                try Certificate.Extension(KeyUsage(digitalSignature: spec.caDigitalSignature, keyCertSign: true, cRLSign: true), critical: true),
                try Certificate.Extension(SubjectKeyIdentifier(keyIdentifier: CertificateBuilder.keyIdentifier(spec.publicKey)[...]), critical: false),
            ])
            let attributes = CertificateSigningRequest.Attributes([try .init(ExtensionRequest(extensions: extensions))])
            let csr = try CertificateSigningRequest(version: .v1, subject: subject, privateKey: Certificate.PrivateKey(SignerPrivateKey(signer)),
                                                    attributes: attributes, signatureAlgorithm: .ecdsaWithSHA256)
            var serializer = DER.Serializer()
            try serializer.serialize(csr)
            let der = serializer.serializedBytes
            return Request(der: der, pem: CertificateFile.pem(der, label: "CERTIFICATE REQUEST"))
        } catch let e as BuilderError { throw e } catch let e as SignerError { throw e } catch {
            throw BuilderError.encodingFailed("certificate request: \(error)")
        }
    }
}

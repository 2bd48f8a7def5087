import Crypto
import Foundation
import Signing
import SwiftASN1
import Testing
import X509

@Suite struct SoftwareSignerTests {
    @Test func signaturesVerifyAndSayDevelopmentOnly() throws {
        let s = SoftwareSigner()
        let message = Array("to be signed".utf8)
        let der = try s.sign(digest: SHA256.hash(data: message))
        #expect(s.publicKey.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: der), for: message))
        #expect(s.keyDescription.contains("DEVELOPMENT ONLY"))
    }

    @Test func bridgeSignsThroughTheSignerAndRefusesOtherAlgorithms() throws {
        let s = SoftwareSigner()
        let key = SignerPrivateKey(s)
        let name = try DistinguishedName { CommonName("bridge test") }
        let cert = try Certificate(version: .v3, serialNumber: .init(), publicKey: key.publicKey, notValidBefore: Date(),
                                   notValidAfter: Date(timeIntervalSinceNow: 60), issuer: name, subject: name,
                                   signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(),
                                   issuerPrivateKey: Certificate.PrivateKey(key))
        #expect(Certificate.PublicKey(s.publicKey).isValidSignature(cert.signature, for: cert))
        #expect(throws: SignerError.unsupportedAlgorithm("SignatureAlgorithm.ecdsaWithSHA384")) {
            _ = try key.signSynchronously(bytes: [1], signatureAlgorithm: .ecdsaWithSHA384)
        }
    }

    @Test func caKeysCannotBeSerialized() {
        let key = SignerPrivateKey(SoftwareSigner())
        var serializer = DER.Serializer()
        #expect(throws: SignerError.keyNotExportable) { try key.serialize(into: &serializer) }
    }

    @Test func beforeSigningCanRefuse() {
        struct No: Error {}
        let key = SignerPrivateKey(SoftwareSigner()) { _ in throw No() }
        #expect(throws: No.self) { _ = try key.signSynchronously(bytes: [1], signatureAlgorithm: .ecdsaWithSHA256) }
    }
}

import AttestationVerifier
import Crypto
import Foundation
import MatterPKI
import Signing
import X509Builder

/// A complete, valid attestation made with matter-ca's own builder and a software "lab" CD key, ready to be
/// broken one piece at a time.
struct AttestationFixture {
    var paa, pai, dac: IssuedCertificate
    let keys: (paa: SoftwareSigner, pai: SoftwareSigner, dac: SoftwareSigner)
    let cdKey = P256.Signing.PrivateKey()
    var cdKeyID: [UInt8] { Array(Insecure.SHA1.hash(data: cdKey.publicKey.x963Representation)) }
    var cd: CertificationElements
    var nonce = (0..<32).map { _ in UInt8.random(in: 0...255) }
    var challenge = (0..<16).map { _ in UInt8.random(in: 0...255) }
    var vid: UInt16 = 0xFFF1, pid: UInt16 = 0x8000

    struct Options {
        var paaVID: UInt16? = nil
        var paiVID: UInt16 = 0xFFF1
        var paiPID: UInt16? = nil
        var dacVID: UInt16 = 0xFFF1
        var dacPID: UInt16 = 0x8000
        var dacNotBefore = Date(timeIntervalSinceNow: -86400).rounded
        var dacExpiry: CertificateSpec.Expiry = .noWellDefinedExpiration
    }

    init(_ o: Options = Options()) throws {
        keys = (SoftwareSigner(), SoftwareSigner(), SoftwareSigner())
        let long = Date(timeIntervalSinceNow: -100 * 86400).rounded
        func spec(_ t: CertificateType, _ k: P256.Signing.PublicKey, vid: UInt16?, pid: UInt16?, nb: Date, expiry: CertificateSpec.Expiry = .noWellDefinedExpiration) -> CertificateSpec {
            CertificateSpec(type: t, commonName: "Fixture \(t)", vid: vid.map(VendorID.init), pid: pid.map(ProductID.init), publicKey: k, notBefore: nb, expiry: expiry)
        }
        paa = try CertificateBuilder.selfSigned(spec(.paa, keys.paa.publicKey, vid: o.paaVID, pid: nil, nb: long), signer: keys.paa)
        // The builder refuses inconsistent VID/PIDs; those cases are forged below from a valid chain instead.
        pai = try CertificateBuilder.issue(spec(.pai, keys.pai.publicKey, vid: o.paiVID, pid: o.paiPID, nb: long),
                                           by: IssuerContext(certificate: paa.certificate, type: .paa, signer: keys.paa))
        dac = try CertificateBuilder.issue(spec(.dac, keys.dac.publicKey, vid: o.dacVID, pid: o.dacPID, nb: o.dacNotBefore, expiry: o.dacExpiry),
                                           by: IssuerContext(certificate: pai.certificate, type: .pai, signer: keys.pai))
        cd = CertificationElements(vendorID: o.dacVID, productIDs: [o.dacPID], deviceTypeID: 0x0302, certificateID: "ZIG20142ZB330003-24",
                                   versionNumber: 1, certificationType: 0)
        vid = o.dacVID; pid = o.dacPID
    }

    func signedCD(_ content: [UInt8]? = nil, keyID: [UInt8]? = nil) throws -> [UInt8] {
        try CMSEnvelope.sign(content: content ?? (try cd.encode()), keyID: keyID ?? cdKeyID) { Array(try cdKey.signature(for: $0).derRepresentation) }
    }

    func elements(cd cms: [UInt8]? = nil) throws -> [UInt8] {
        AttestationElements(certificationDeclaration: try cms ?? signedCD(), attestationNonce: nonce, timestamp: 0).encode()
    }

    func sign(_ elements: [UInt8], challenge c: [UInt8]? = nil) -> [UInt8] {
        Array(try! keys.dac.privateKey.signature(for: SHA256.hash(data: elements + (c ?? challenge))).rawRepresentation)
    }

    func input(elements e: [UInt8]? = nil, signature: [UInt8]? = nil) throws -> AttestationInput {
        let el = try e ?? elements()
        return AttestationInput(attestationElements: el, attestationChallenge: challenge, attestationSignature: signature ?? sign(el),
                                pai: pai.der, dac: dac.der, attestationNonce: nonce, vendorID: vid, productID: pid)
    }

    var trust: TrustStores {
        var keys = CDSigningKeyStore()
        keys.add(keyID: cdKeyID, publicKey: cdKey.publicKey, source: "fixture lab key")
        return TrustStores(paas: PAATrustStore(certificates: [paa.certificate]), cdKeys: keys)
    }

    func verify(_ i: AttestationInput? = nil, revocation: RevocationSet? = nil, trust t: TrustStores? = nil) throws -> AttestationVerdict {
        AttestationVerifier(trust: t ?? trust, revocation: revocation).verify(try i ?? input())
    }

    static func revocationEntry(revoking cert: ParsedCertificate, issuer: ParsedCertificate) -> RevocationSet.Entry {
        RevocationSet.Entry(issuerSubjectKeyID: issuer.subjectKeyIdentifier!.hexString, issuerName: Data(issuer.subject.der).base64EncodedString(),
                            revokedSerialNumbers: [cert.serialHex], crlSignerCert: Data(issuer.der).base64EncodedString())
    }
}

extension Date {
    var rounded: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

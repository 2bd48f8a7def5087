import Crypto
import Foundation
import MatterPKI
import Signing
import SwiftASN1
import X509

/// The certificate that signs: its parsed certificate, the role it plays and the signer holding its key.
public struct IssuerContext: Sendable {
    public let certificate: ParsedCertificate
    public let type: CertificateType
    public let signer: any Signer
    /// Derived once per issuer, not once per certificate (a DAC batch issues thousands under one PAI).
    let facts: CertificateFacts
    let name: DistinguishedName
    /// DAC templates of this issuer, one per distinct DAC shape (CN, VID/PID, lifetime, serial length, CDP).
    let templates = DACTemplates()
    /// Checked once: comparing the key's encoding per certificate cost as much as a SHA-1.
    let signerMatches: Bool

    public init(certificate: ParsedCertificate, type: CertificateType, signer: any Signer) throws {
        self.certificate = certificate; self.type = type; self.signer = signer
        facts = CertificateFacts(certificate, as: type)
        signerMatches = Array(signer.publicKey.x963Representation) == certificate.publicKey.keyBytes
        do { name = try DistinguishedName(derEncoded: DER.parse(certificate.subject.der)) } catch {
            throw BuilderError.encodingFailed("issuer subject: \(error)")
        }
    }
}

/// Carries the parsed to-be-signed certificate out of the signing callback, so it is parsed once.
final class ParsedTBSBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ParsedCertificate?
    func set(_ v: ParsedCertificate) { lock.withLock { value = v } }
    func get() -> ParsedCertificate? { lock.withLock { value } }
}

public struct IssuedCertificate: Sendable {
    public let der: [UInt8]
    public let certificate: ParsedCertificate
    public var pem: String { CertificateFile.pem(der) }
}

/// The one place matter-ca assembles certificates (swift-certificates, with the signer plugged in as a
/// `CustomPrivateKey`). The to-be-signed bytes are linted with `MatterProfile` (issuance policy, plus the
/// issuer rules against the issuing certificate) before the signer is called; a violation means no signature.
public enum CertificateBuilder {
    /// A self-signed PAA: `signer` holds the key of `spec.publicKey`.
    public static func selfSigned(_ spec: CertificateSpec, signer: any Signer) throws -> IssuedCertificate {
        guard signer.publicKey.x963Representation == spec.publicKey.x963Representation else {
            throw BuilderError.signerDoesNotMatchIssuer("a self-signed certificate must be signed by its own key")
        }
        return try build(spec, issuer: nil, signer: signer)
    }

    /// A PAI (issuer PAA) or DAC (issuer PAI). DACs go through the issuer's template for their shape
    /// (`DACTemplateIssue.swift`): the same bytes as the general path, linted on the exact bytes, without a re-parse.
    public static func issue(_ spec: CertificateSpec, by issuer: IssuerContext) throws -> IssuedCertificate {
        guard issuer.signerMatches else {
            throw BuilderError.signerDoesNotMatchIssuer("\(issuer.signer.keyDescription) is not the key of \(issuer.type) \"\(issuer.certificate.subject)\"")
        }
        if spec.type == .dac, let templated = try issueTemplated(spec, by: issuer) { return templated }
        return try build(spec, issuer: issuer, signer: issuer.signer)
    }

    static func build(_ spec: CertificateSpec, issuer: IssuerContext?, signer: any Signer, capture: Bool = false) throws -> IssuedCertificate {
        guard SerialNumber.allowedLengths.contains(spec.serialNumberLength) else {
            throw BuilderError.serialLengthOutOfRange(spec.serialNumberLength)
        }
        let subject = try subjectName(spec)
        let issuerName = issuer?.name ?? subject
        let skid = keyIdentifier(spec.publicKey)
        let akid = issuer.map { $0.certificate.subjectKeyIdentifier ?? [] } ?? skid
        let extensions = try makeExtensions(spec, skid: skid, akid: akid)

        let issuerSubjectDER = issuer?.certificate.subject.der
        let issuerFacts = issuer?.facts
        let box = ParsedTBSBox()
        let key = SignerPrivateKey(signer) { tbs in
            let linted = try lintBeforeSigning(tbs, as: spec.type, issuerFacts: issuerFacts, issuerSubjectDER: issuerSubjectDER)
            if capture { try captureReference(linted) }
            box.set(linted)
        }
        let certificate: Certificate
        do {
            certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(bytes: SerialNumber.random(length: spec.serialNumberLength)),
                publicKey: Certificate.PublicKey(spec.publicKey),
                notValidBefore: spec.notBefore,
                notValidAfter: spec.notAfter,
                issuer: issuerName,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(key))
        } catch let e as BuilderError { throw e } catch let e as SignerError { throw e } catch let e as ReferenceCaptured { throw e }
        catch { throw BuilderError.encodingFailed("\(error)") }
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        guard let tbs = box.get() else { throw BuilderError.encodingFailed("the signer was not called") }
        do { return IssuedCertificate(der: der, certificate: try ParsedCertificate(der: der, signedTBS: tbs)) } catch {
            throw BuilderError.encodingFailed("\(error)")
        }
    }

    /// Lint-before-sign on the exact bytes the signer would sign.
    @discardableResult
    static func lintBeforeSigning(_ tbs: [UInt8], as type: CertificateType, issuerFacts: CertificateFacts?,
                                  issuerSubjectDER: [UInt8]?) throws -> ParsedCertificate {
        let parsed: ParsedCertificate
        do { parsed = try ParsedCertificate(tbs: tbs) } catch { throw BuilderError.encodingFailed("\(error)") }
        let facts = CertificateFacts(parsed, as: type)
        var violations = MatterProfile.lint(facts, policy: .issuance)
        violations += MatterProfile.lintIssuer(child: facts, issuer: issuerFacts ?? facts, policy: .issuance)
        if let issuerSubjectDER, parsed.issuer.der != issuerSubjectDER {
            violations.append(ProfileViolation(.issuerNameMustMatchIssuerSubject, type, "issuer name is not a byte-for-byte copy of the issuer's subject"))
        }
        if !violations.isEmpty { throw BuilderError.profileViolations(ProfileViolations(violations)) }
        return parsed
    }

    /// Subject DN in the SDK's order: CN, then the Matter VID and PID attributes (UTF8String, 4 uppercase hex).
    public static func subjectName(_ spec: CertificateSpec) throws -> DistinguishedName {
        var attributes = [RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: spec.encodedCommonName)]
        if spec.vidPidEncoding == .attributes {
            if let vid = spec.vid { attributes.append(.init(type: OID.matterVID, utf8String: vid.hex)) }
            if let pid = spec.pid { attributes.append(.init(type: OID.matterPID, utf8String: pid.hex)) }
        }
        return try DistinguishedName(attributes)
    }

    /// SKID = SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 §4.2.1.2 method 1), as chip-cert.
    public static func keyIdentifier(_ key: P256.Signing.PublicKey) -> [UInt8] {
        Array(Insecure.SHA1.hash(data: key.x963Representation))
    }

    public static func makeExtensions(_ spec: CertificateSpec, skid: [UInt8], akid: [UInt8]) throws -> Certificate.Extensions {
        let bc: BasicConstraints
        let ku: KeyUsage
        switch spec.type {
        case .paa:
            bc = .isCertificateAuthority(maxPathLength: spec.paaPathLengthOne ? 1 : nil)
            ku = KeyUsage(digitalSignature: spec.caDigitalSignature, keyCertSign: true, cRLSign: true)
        case .pai:
            bc = .isCertificateAuthority(maxPathLength: 0)
            ku = KeyUsage(digitalSignature: spec.caDigitalSignature, keyCertSign: true, cRLSign: true)
        case .dac:
            bc = .notCertificateAuthority
            ku = KeyUsage(digitalSignature: true)
        case .crlSigner:
            bc = .notCertificateAuthority
            ku = KeyUsage(digitalSignature: spec.caDigitalSignature, cRLSign: true)
        }
        var list: [Certificate.Extension] = [
            try Certificate.Extension(bc, critical: true),
            try Certificate.Extension(ku, critical: true),
            try Certificate.Extension(SubjectKeyIdentifier(keyIdentifier: skid[...]), critical: false),
            try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: akid[...]), critical: false),
        ]
        if let uri = spec.crlDistributionPointURI {
            guard uri.hasPrefix("http://") || uri.hasPrefix("https://") else { throw BuilderError.invalidCRLDistributionPointURI(uri) }
            list.append(Certificate.Extension(oid: OID.crlDistributionPoints, critical: false, value: crlDistributionPoint(uri: uri)[...]))
        }
        return try Certificate.Extensions(list)
    }

    /// cRLDistributionPoints with one DistributionPoint whose fullName is one URI (the SDK's only shape).
    static func crlDistributionPoint(uri: String) -> [UInt8] {
        func tlv(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] { [tag] + DERLength.encode(body.count) + body }
        let generalName = tlv(0x86, Array(uri.utf8))          // [6] IA5String uniformResourceIdentifier
        let fullName = tlv(0xA0, generalName)                   // [0] fullName
        let dpName = tlv(0xA0, fullName)                        // [0] distributionPoint
        return tlv(0x30, tlv(0x30, dpName))
    }
}

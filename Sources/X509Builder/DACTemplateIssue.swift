import Crypto
import Foundation
import MatterPKI
import Signing

/// The DAC templates of one issuer, made on first use of each DAC shape.
final class DACTemplates: @unchecked Sendable {
    private let lock = NSLock()
    private var byShape: [String: TBSTemplate?] = [:]
    func get(_ key: String, make: () throws -> TBSTemplate?) rethrows -> TBSTemplate? {
        if let t = lock.withLock({ byShape[key] }) { return t }
        let t = try make()
        lock.withLock { byShape[key] = t }
        return t
    }
}

/// Thrown from the reference build's lint callback once the reference TBS is in hand: no key is used for it.
struct ReferenceCaptured: Error { let tbs: ParsedCertificate }

extension CertificateBuilder {
    /// A DAC through the issuer's template for its shape; nil when the shape has no template (then the general path
    /// builds it). The template's reference TBS is made by the general path with a throwaway key standing in for the
    /// device's and fully linted (issuance policy and issuer rules) before it is kept; it is never signed.
    static func issueTemplated(_ spec: CertificateSpec, by issuer: IssuerContext) throws -> IssuedCertificate? {
        let shape = [spec.commonName, spec.vid?.hex ?? "-", spec.pid?.hex ?? "-", spec.vidPidEncoding.rawValue, String(spec.serialNumberLength),
                     spec.crlDistributionPointURI ?? "-", Self.lifetime(spec)].joined(separator: "\u{0}")
        guard let template = try issuer.templates.get(shape, make: { try reference(spec, issuer: issuer) }) else { return nil }
        let notBefore = Int64(spec.notBefore.timeIntervalSince1970.rounded(.down))
        guard Int64(spec.notAfter.timeIntervalSince1970.rounded(.down)) == template.notAfter(notBefore: notBefore) else { return nil }
        let serial = SerialNumber.random(length: spec.serialNumberLength)
        let key = Array(spec.publicKey.x963Representation)
        let skid = Array(Insecure.SHA1.hash(data: key))
        let tbs = template.tbs(serial: serial, notBefore: notBefore, publicKey: key, skid: skid)
        let signature = try issuer.signer.signChecked(tbs) { bytes in
            let v = template.lint(bytes, publicKey: key)
            if !v.isEmpty { throw BuilderError.profileViolations(ProfileViolations(v)) }
        }
        let der = DERWrite.signed(tbs, signature: signature)
        let parsed = template.parsed(tbs: tbs, serial: serial, notBefore: notBefore, publicKey: key, skid: skid, key: spec.publicKey)
        do { return IssuedCertificate(der: der, certificate: try ParsedCertificate(der: der, signedTBS: parsed)) } catch {
            throw BuilderError.encodingFailed("\(error)")
        }
    }

    static func lifetime(_ spec: CertificateSpec) -> String {
        switch spec.expiry {
        case .noWellDefinedExpiration: return "no-expiry"
        case .date(let d): return String(Int64(d.timeIntervalSince(spec.notBefore).rounded(.down)))
        }
    }

    /// The reference TBS of a DAC shape, through the general path and its full lint, or nil when it cannot be a template.
    static func reference(_ spec: CertificateSpec, issuer: IssuerContext) throws -> TBSTemplate? {
        var s = spec
        s.publicKey = P256.Signing.PrivateKey().publicKey
        do {
            _ = try build(s, issuer: issuer, signer: ReferenceSigner(issuer.signer.publicKey), capture: true)
        } catch let captured as ReferenceCaptured {
            return try? TBSTemplate(reference: captured.tbs, issuer: issuer.certificate)
        }
        return nil
    }

    /// Raises `ReferenceCaptured` from the lint callback, after the lint passed: no signature is made.
    static func captureReference(_ tbs: ParsedCertificate) throws -> Never { throw ReferenceCaptured(tbs: tbs) }
}

/// Stands in for the issuer's key while a reference TBS is produced; it is never asked to sign (the capture ends the
/// build first), and fails loudly if it is.
struct ReferenceSigner: Signer {
    let publicKey: P256.Signing.PublicKey
    init(_ key: P256.Signing.PublicKey) { publicKey = key }
    var keyDescription: String { "reference TBS (never signs)" }
    func sign(digest: SHA256Digest) throws -> [UInt8] { throw SignerError.signingFailed("a template reference is never signed") }
}

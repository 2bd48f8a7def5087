import CPKCS11
import CertificateTemplates
import Crypto
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

public struct CeremonyResult: Sendable {
    public let authority: AuthorityRecord
    public let certificate: IssuedCertificate
    public let transcript: URL
    public let files: [URL]
}

extension Authority {
    /// `matter-ca paa create`: a key generated in the token, a self-signed PAA through the templates, the builder
    /// and the lint, a ceremony record and a transcript.
    public func createPAA(name: String, vid: VendorID?, lifetime: Template.Lifetime?) throws -> CeremonyResult {
        var template = templates[.paa]!
        if let lifetime { template.lifetime = lifetime }
        // Refuse a bad request before the ledger or the token is touched.
        try validate(template, CertificateRequest(type: .paa, name: name, vid: vid, publicKey: P256.Signing.PrivateKey().publicKey))
        return try ceremony(kind: "paa.create", keyLabel: "PAA \(name)", detail: ["name": name, "vid": vid?.hex ?? "none"]) { key in
            let spec = try TemplateEngine.prepare(template, CertificateRequest(type: .paa, name: name, vid: vid, publicKey: key.publicKey))
            return (try CertificateBuilder.selfSigned(spec, signer: key), nil)
        }
    }

    /// `matter-ca pai issue`: a PAI key in the token, signed by the PAA's key in the token.
    public func issuePAI(paa paaKey: String, vid: VendorID, pid: ProductID?, name: String) throws -> CeremonyResult {
        let paa = try authority(paaKey, type: "paa")
        if let scoped = paa.vid, scoped != Int(vid.rawValue) {
            throw AuthorityError.vidMismatch(paaVID: VendorID(UInt16(scoped)).hex, requested: vid.hex)
        }
        let template = templates[.pai]!
        try validate(template, CertificateRequest(type: .pai, name: name, vid: vid, pid: pid, publicKey: P256.Signing.PrivateKey().publicKey))
        let paaCertificate = try certificate(of: paa)
        let paaSigner = try signer(for: paa)
        let issuer = try IssuerContext(certificate: paaCertificate, type: .paa, signer: paaSigner)
        return try ceremony(kind: "pai.issue", keyLabel: "PAI \(name)", detail: ["name": name, "vid": vid.hex, "pid": pid?.hex ?? "none", "paa": paa.skid]) { key in
            let spec = try TemplateEngine.prepare(template, CertificateRequest(type: .pai, name: name, vid: vid, pid: pid, publicKey: key.publicKey))
            return (try CertificateBuilder.issue(spec, by: issuer), paa.skid)
        }
    }

    func validate(_ template: Template, _ request: CertificateRequest) throws {
        do { _ = try TemplateEngine.prepare(template, request) } catch { throw AuthorityError.refused("request refused: \(error)") }
    }

    /// Ceremony order, so that a crash at any point loses nothing and leaves no certificate outside the ledger:
    /// 1 ceremony started (ledger), 2 key generated (token), 3 certificate built and linted, 4 certificate, authority
    /// and completion committed together (ledger), 5 files and transcript written.
    func ceremony(kind: String, keyLabel: String, detail: [String: String],
                  issue: (PKCS11Signer) throws -> (IssuedCertificate, String?)) throws -> CeremonyResult {
        let record = try ledger.beginCeremony(kind: kind, actor: actor, detail: detail)
        var key: PKCS11Signer?
        do {
            let k: PKCS11Signer
            do { k = try PKCS11Signer.generate(pool: pool, label: keyLabel) } catch { throw AuthorityError.from(error) }
            key = k
            var attempt = 0
            while true {
                attempt += 1
                let (issued, parent) = try issue(k)
                let c = issued.certificate
                let ids = try? c.matterVIDPID()
                let skid = c.subjectKeyIdentifier!.hexString
                let certRecord = CertificateRecord(issuerSKID: (c.authorityKeyIdentifier ?? []).hexString, serial: c.serialHex, type: String(kind.prefix(3)),
                                                   subject: "\(c.subject)", skid: skid, vid: ids?.vid.map { Int($0.rawValue) },
                                                   pid: ids?.pid.map { Int($0.rawValue) }, notBefore: c.notBefore.date, notAfter: c.notAfter.date,
                                                   der: Data(issued.der), sha256: c.sha256.hexString, createdAt: Date())
                let authorityRecord = AuthorityRecord(skid: skid, type: String(kind.prefix(3)), name: detail["name"] ?? "", tokenLabel: pool.tokenLabel,
                                                      keyLabel: keyLabel, serial: c.serialHex, parentSKID: parent,
                                                      vid: ids?.vid.map { Int($0.rawValue) }, pid: ids?.pid.map { Int($0.rawValue) },
                                                      certificateSHA256: certRecord.sha256, createdAt: Date())
                do {
                    try ledger.completeCeremony(record, certificate: certRecord, authority: authorityRecord, payload: detail)
                } catch Ledger.LedgerError.serialCollision where attempt < 3 {
                    continue   // a fresh random serial; the colliding certificate never left the authority
                }
                return try writeOut(record, issued, authorityRecord, key: k)
            }
        } catch {
            try? key?.destroy()
            try? ledger.failCeremony(record, reason: "\(error)")
            throw error
        }
    }

    func writeOut(_ ceremony: CeremonyRecord, _ issued: IssuedCertificate, _ a: AuthorityRecord, key: PKCS11Signer) throws -> CeremonyResult {
        let fm = FileManager.default
        try fm.createDirectory(at: home.certificates, withIntermediateDirectories: true)
        try fm.createDirectory(at: home.transcripts, withIntermediateDirectories: true)
        let pem = home.certificates.appendingPathComponent("\(a.type)-\(a.skid).pem")
        let der = home.certificates.appendingPathComponent("\(a.type)-\(a.skid).der")
        try Data(issued.pem.utf8).write(to: pem)
        try Data(issued.der).write(to: der)
        let c = issued.certificate
        let sensitive = (try? key.privateKeyAttribute(MCA_CKA_SENSITIVE)) == [1]
        let extractable = (try? key.privateKeyAttribute(MCA_CKA_EXTRACTABLE)) == [1]
        let transcript = """
            matter-ca key ceremony transcript
            ceremony      \(ceremony.id)
            kind          \(ceremony.kind)
            operator      \(ceremony.actor)
            started       \(ceremony.startedAt)
            completed     \(Date())
            token         "\(pool.tokenLabel)" via \(pool.module.path)
            key           "\(a.keyLabel)", EC P-256, CKA_ID = SKID \(a.skid)
            key attributes CKA_SENSITIVE=\(sensitive ? "TRUE" : "FALSE") CKA_EXTRACTABLE=\(extractable ? "TRUE" : "FALSE")
            subject       \(c.subject)
            issuer        \(c.issuer)
            serial        \(c.serialHex)
            validity      \(c.notBefore) … \(c.notAfter)
            SHA-256       \(c.sha256.hexString)
            lint          Matter profile (issuance policy): compliant

            \(issued.pem)
            """
        let t = home.transcripts.appendingPathComponent("\(ceremony.id).txt")
        try Data(transcript.utf8).write(to: t)
        return CeremonyResult(authority: a, certificate: issued, transcript: t, files: [pem, der])
    }
}

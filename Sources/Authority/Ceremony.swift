import CertificateTemplates
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
    /// Set when the ceremony committed but its files could not be written: the key and the ledger are intact and
    /// `matter-ca export` writes the certificate.
    public let filesNotWritten: String?
}

extension Authority {
    /// `matter-ca paa create`: a key generated in the token, a self-signed PAA through the one issue path, a ceremony
    /// record and a transcript.
    public func createPAA(name: String, vid: VendorID?, lifetime: Template.Lifetime?, by principal: Principal? = nil) throws -> CeremonyResult {
        let grant = try authorize(IssueRequest(.paa(vid: vid, lifetime: lifetime), name: name), by: principal ?? .operator(actor))
        return try ceremony(grant, detail: ["name": name, "vid": vid?.hex ?? "none"])
    }

    /// `matter-ca pai issue`: a PAI key in the token, signed by the PAA's key in the token.
    public func issuePAI(paa: String, vid: VendorID, pid: ProductID?, name: String, by principal: Principal? = nil) throws -> CeremonyResult {
        let grant = try authorize(IssueRequest(.pai(paa: paa, vid: vid, pid: pid), name: name), by: principal ?? .operator(actor))
        return try ceremony(grant, detail: ["name": name, "vid": vid.hex, "pid": pid?.hex ?? "none", "paa": grant.issuer?.skid ?? ""])
    }

    /// `matter-ca crl signer create`: a delegated CRL signer for a PAA or PAI — a key in the token, a certificate
    /// with the CRL-signer profile signed by the CA's token key through the one issue path. Later CRLs of that CA are
    /// signed by it (indirect CRLs, certificateIssuer on every entry).
    public func createCRLSigner(ca: String, name: String, by principal: Principal? = nil) throws -> CeremonyResult {
        let grant = try authorize(IssueRequest(.crlSigner(ca: ca), name: name), by: principal ?? .operator(actor))
        return try ceremony(grant, detail: ["name": name, "ca": grant.issuer?.skid ?? ""])
    }

    /// Ceremony order, so that a crash or a failure at any point loses nothing and leaves no certificate outside
    /// the ledger: 0 request and output locations checked, 1 ceremony started (ledger), 2 key generated (token:
    /// a PAA key on the root token when the home has custodians), 3 certificate signed through the one issue path
    /// and the transcript signed, 4 certificate, authority, completion and the transcript's SHA-256 committed
    /// together, 5 files and transcript written. A failure before 4 removes the new key; after 4 the key is the
    /// authority's and is never destroyed.
    func ceremony(_ grant: Grant, detail: [String: String]) throws -> CeremonyResult {
        try check(grant)
        let issuer = try issuerContext(for: grant)
        let keyPool = try newKeyPool(for: grant)
        try OutputLocation.prepare(home.certificates)
        try OutputLocation.prepare(home.transcripts)
        let record = try ledger.beginCeremony(kind: grant.ceremonyKind, actor: grant.principal.description, detail: detail)
        let committed = try withCeremonyKey(record, pool: keyPool, label: grant.keyLabel) { k in
            try commit(grant, ceremony: record, key: k, keyPool: keyPool, issuer: issuer, detail: detail)
        }
        // Committed: from here on nothing destroys the key or rolls the ledger back.
        let (issuedCertificate, authorityRecord, transcript) = committed
        do {
            if faults.ceremonyOutput { throw FileOutput.Failure(description: "injected output fault") }
            let files = try writeCertificateFiles(issuedCertificate, authorityRecord)
            return CeremonyResult(authority: authorityRecord, certificate: issuedCertificate, transcript: try writeTranscript(transcript),
                                  files: files, filesNotWritten: nil)
        } catch {
            return CeremonyResult(authority: authorityRecord, certificate: issuedCertificate, transcript: transcriptURL(record.id),
                                  files: [], filesNotWritten: "\(error)")
        }
    }

    /// A key generated in `pool` for a started ceremony, handed to `body`; if anything fails before `body` returns,
    /// the key is destroyed and the ceremony recorded as failed. Either way the audit checkpoint is signed.
    func withCeremonyKey<T>(_ record: CeremonyRecord, pool: SessionPool, label: String, _ body: (PKCS11Signer) throws -> T) throws -> T {
        var key: PKCS11Signer?
        let result: T
        do {
            let k: PKCS11Signer
            do { k = try PKCS11Signer.generate(pool: pool, label: label) } catch { throw AuthorityError.from(error) }
            key = k
            result = try body(k)
        } catch {
            try? key?.destroy()
            try? ledger.failCeremony(record, reason: "\(error)")
            try? checkpoint()
            throw error
        }
        try checkpoint()
        return result
    }

    func transcriptURL(_ ceremony: String) -> URL { home.transcripts.appendingPathComponent("\(ceremony).json") }

    func writeTranscript(_ t: CeremonyTranscript) throws -> URL {
        let url = transcriptURL(t.body.ceremony)
        try FileOutput.write(try t.fileBytes(), to: url)
        return url
    }

    func writeCertificateFiles(_ issued: IssuedCertificate, _ a: AuthorityRecord) throws -> [URL] {
        let pem = home.certificates.appendingPathComponent("\(a.type)-\(a.skid).pem")
        let der = home.certificates.appendingPathComponent("\(a.type)-\(a.skid).der")
        try FileOutput.write(Data(issued.pem.utf8), to: pem)
        try FileOutput.write(Data(issued.der), to: der)
        return [pem, der]
    }

    /// One step of any ceremony: the certificate for `key` signed through the one issue path, the rows that
    /// record it, and the PAA key that signs the transcript for it (the new PAA's own, or the PAA that signed it).
    func makeCeremonyStep(_ grant: Grant, key: PKCS11Signer, keyPool: SessionPool, issuer: IssuerContext?) throws -> CeremonyStepMade {
        let issued = try sign(grant, publicKey: key.publicKey, issuer: issuer, selfSigner: key, now: clock())
        let certificate = record(issued, grant: grant)
        let authority = AuthorityRecord(skid: certificate.skid, type: grant.type.rawValue, name: grant.name, tokenLabel: keyPool.tokenLabel,
                                        keyLabel: key.label, serial: certificate.serial, parentSKID: grant.issuer?.skid,
                                        vid: certificate.vid, pid: certificate.pid, certificateSHA256: certificate.sha256, createdAt: clock())
        let paaSigner: (skid: String, signer: any Signer)?
        if grant.type == .paa { paaSigner = (certificate.skid, key) } else if let issuer, issuer.type == .paa, let parent = grant.issuer {
            paaSigner = (parent.skid, issuer.signer)
        } else { paaSigner = nil }
        return CeremonyStepMade(action: grant.ceremonyKind, issued: issued, certificate: certificate, authority: authority, key: key, paaSigner: paaSigner)
    }

    /// Where a ceremony generates a grant's key: a PAA's on the root token when the home has custodians (opened with
    /// their shares), every other key on the operational token.
    func newKeyPool(for grant: Grant) throws -> SessionPool { grant.type == .paa ? try paaKeyPool() : pool }

    private func commit(_ grant: Grant, ceremony: CeremonyRecord, key: PKCS11Signer, keyPool: SessionPool, issuer: IssuerContext?,
                        detail: [String: String]) throws -> (IssuedCertificate, AuthorityRecord, CeremonyTranscript) {
        for attempt in 1... {
            let made = try makeCeremonyStep(grant, key: key, keyPool: keyPool, issuer: issuer)
            let completed = clock()
            let step = transcriptStep(number: 1, action: ceremony.kind, grant: grant, key: key, keyPool: keyPool, issued: made.issued,
                                      at: completed, confirmedBy: ceremony.actor)
            let body = CeremonyTranscript.Body(ceremony: ceremony.id, kind: ceremony.kind, name: grant.name, scriptSHA256: nil,
                                               matterCAVersion: Authority.version, ledger: try ledgerIdentity(), operatorName: ceremony.actor,
                                               roles: .init(administrator: nil, witness: nil, custodians: custodiansPresent),
                                               tokens: tokenIdentities([keyPool.tokenLabel] + (grant.issuer.map { [$0.tokenLabel] } ?? [])),
                                               started: LedgerTime.iso8601(ceremony.startedAt), completed: LedgerTime.iso8601(completed), steps: [step])
            let transcript = try signTranscript(body, paaKeys: made.paaSigner.map { [$0] } ?? [], administrator: nil)
            let payload = detail.merging(["transcriptSHA256": CeremonyTranscript.sha256(try transcript.fileBytes())]) { a, _ in a }
            do {
                try ledger.completeCeremony(ceremony, certificate: made.certificate, authority: made.authority, payload: payload)
                return (made.issued, made.authority, transcript)
            } catch LedgerError.serialCollision where attempt < 3 {
                continue   // a fresh random serial; the colliding certificate never left the authority
            }
        }
        fatalError("unreachable")
    }
}

/// What one ceremony step made, before anything of it is recorded.
struct CeremonyStepMade {
    /// Its audit action (`Grant.ceremonyKind`).
    let action: String
    let issued: IssuedCertificate
    let certificate: CertificateRecord
    let authority: AuthorityRecord
    let key: PKCS11Signer
    let paaSigner: (skid: String, signer: any Signer)?
}

extension Grant {
    /// The ceremony (and audit action) that makes a CA certificate of this grant.
    var ceremonyKind: String {
        switch type {
        case .paa: return "paa.create"
        case .pai: return "pai.issue"
        case .crlSigner: return "crl-signer.create"
        case .dac: return "dac.issue"
        }
    }

    /// The label of the key a ceremony generates for it.
    var keyLabel: String { "\(type == .crlSigner ? "CRL signer" : type.rawValue.uppercased()) \(name)" }
}

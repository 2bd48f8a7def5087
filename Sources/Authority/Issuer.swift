import CertificateTemplates
import Crypto
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

extension Authority {
    /// The issuer side of a grant, made once and shared by every certificate signed under it (a batch signs
    /// thousands under one PAI). `signer` replaces the issuer's token key, for benchmarks against a software key
    /// (the builder refuses a key that is not the issuer certificate's).
    public func issuerContext(for grant: Grant, signer override: (any Signer)? = nil) throws -> IssuerContext? {
        guard let issuer = grant.issuer else { return nil }
        if override == nil, let cached = issuers.get(issuer.skid) { return cached }
        let type: CertificateType = issuer.type == "paa" ? .paa : .pai
        let context = try IssuerContext(certificate: try inventory.certificate(of: issuer), type: type, signer: try override ?? signer(for: issuer))
        // A server issues one DAC per request: finding the token key and parsing the issuer each time would cost
        // more than the signature. CA certificates and keys do not change under a running authority.
        if override == nil { issuers.set(issuer.skid, context) }
        return context
    }

    /// THE issue function: every certificate the authority signs — PAA, PAI, each DAC of a batch, a single DAC —
    /// goes through here: template → builder (lint of the exact to-be-signed bytes → sign → signature verified).
    /// It records nothing; its callers commit before anything leaves.
    func sign(_ grant: Grant, publicKey: P256.Signing.PublicKey, issuer: IssuerContext?, selfSigner: (any Signer)? = nil,
              now: Date) throws -> IssuedCertificate {
        let request = CertificateRequest(type: grant.type, name: grant.name, vid: grant.vid, pid: grant.pid, publicKey: publicKey)
        let spec: CertificateSpec
        do { spec = try TemplateEngine.prepare(grant.template, request, now: now) } catch {
            throw AuthorityError.refused("request refused by template \(grant.template.source): \(error)")
        }
        let out: IssuedCertificate
        if let issuer { out = try CertificateBuilder.issue(spec, by: issuer) } else {
            guard let selfSigner else { throw AuthorityError.refused("a self-signed certificate needs its own key") }
            out = try CertificateBuilder.selfSigned(spec, signer: selfSigner)
        }
        Self.issued.add(grant.type)
        return out
    }

    /// Checks a request against its template before the ledger or the token is touched (a throwaway key stands in
    /// for the one a ceremony would generate).
    func check(_ grant: Grant) throws {
        let request = CertificateRequest(type: grant.type, name: grant.name, vid: grant.vid, pid: grant.pid, publicKey: P256.Signing.PrivateKey().publicKey)
        do { _ = try TemplateEngine.prepare(grant.template, request, now: clock()) } catch {
            throw AuthorityError.refused("request refused by template \(grant.template.source): \(error)")
        }
    }

    /// One certificate for a public key the requester holds (a device's CSR): authorized, signed, and in the ledger
    /// before it is returned. CA certificates are made by ceremony, with keys generated in the token.
    public func issue(_ request: IssueRequest, publicKey: P256.Signing.PublicKey, by principal: Principal) throws -> IssuedCertificate {
        var signed = try signSingle(request, publicKey: publicKey, by: principal)
        for attempt in 1... {
            do {
                try singles.commit(signed.group)
                return signed.certificate
            } catch LedgerError.serialCollision where attempt < 3 {
                signed = try signed.again()   // a fresh random serial; the colliding certificate never left
            }
        }
        fatalError("unreachable")
    }

    /// The same for a server: `signSingle` authorizes and signs (synchronous work: the token, the ledger's reads;
    /// run it on a blocking pool), then `commit` waits for the group commit without holding a thread.
    public func signSingle(_ request: IssueRequest, publicKey: P256.Signing.PublicKey, by principal: Principal) throws -> SignedSingle {
        let grant = try authorize(request, by: principal)
        guard grant.type == .dac else { throw AuthorityError.refused("\(grant.type) certificates are made by key ceremony (paa create, pai issue)") }
        return try SignedSingle(authority: self, grant: grant, publicKey: publicKey, issuer: try issuerContext(for: grant))
    }

    /// The certificate of `signed`, once it is in the ledger (a serial collision signs it again, twice at most).
    public func commit(_ signed: SignedSingle) async throws -> IssuedCertificate {
        var signed = signed
        for attempt in 1... {
            do {
                try await singles.commitAsync(signed.group)
                return signed.certificate
            } catch LedgerError.serialCollision where attempt < 3 {
                signed = try signed.again()
            }
        }
        fatalError("unreachable")
    }

    /// The ledger row of an issued certificate.
    func record(_ issued: IssuedCertificate, grant: Grant, batchID: String? = nil, item: Int? = nil) -> CertificateRecord {
        // The grant's VID and PID are what the template put into the certificate (the lint checked them).
        Self.certificateRecord(issued.certificate, type: grant.type, vid: grant.vid, pid: grant.pid, batchID: batchID, item: item, at: clock())
    }

    /// The ledger row of a certificate: issued here, or received (an external PAA, an imported PAI).
    static func certificateRecord(_ c: ParsedCertificate, type: CertificateType, vid: VendorID?, pid: ProductID?, batchID: String? = nil,
                                  item: Int? = nil, at: Date) -> CertificateRecord {
        CertificateRecord(issuerSKID: (c.authorityKeyIdentifier ?? c.subjectKeyIdentifier ?? []).hexString, serial: c.serialHex,
                          type: type.rawValue, subject: "\(c.subject)", skid: (c.subjectKeyIdentifier ?? []).hexString,
                          vid: vid.map { Int($0.rawValue) }, pid: pid.map { Int($0.rawValue) },
                          notBefore: c.notBefore.date, notAfter: c.notAfter.date, der: Data(c.der), sha256: c.sha256.hexString,
                          batchID: batchID, batchItem: item, createdAt: at)
    }
}

/// A single certificate signed and not yet recorded: nothing outside this module can read it, so it leaves only
/// through `Authority.commit`, after its ledger row.
public struct SignedSingle: Sendable {
    fileprivate let authority: Authority
    fileprivate let grant: Grant
    fileprivate let publicKey: P256.Signing.PublicKey
    fileprivate let issuer: IssuerContext?
    fileprivate let certificate: IssuedCertificate
    fileprivate let group: CertificateGroup

    fileprivate init(authority: Authority, grant: Grant, publicKey: P256.Signing.PublicKey, issuer: IssuerContext?) throws {
        self.authority = authority; self.grant = grant; self.publicKey = publicKey; self.issuer = issuer
        certificate = try authority.sign(grant, publicKey: publicKey, issuer: issuer, now: authority.clock())
        group = CertificateGroup(certificates: [authority.record(certificate, grant: grant)], actor: grant.principal.description, action: "dac.issue",
                                 payload: ["vid": grant.vid?.hex ?? "", "pid": grant.pid?.hex ?? "", "pai": grant.issuer?.skid ?? ""])
    }

    fileprivate func again() throws -> SignedSingle { try SignedSingle(authority: authority, grant: grant, publicKey: publicKey, issuer: issuer) }
}

import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

/// Why `pai import` refused a certificate: which check failed and what did not match. Nothing was recorded and
/// the token is unchanged.
public struct PAIImportRefusal: Error, CustomStringConvertible, Equatable {
    public enum Check: String, Sendable { case key, vid = "VID", pid = "PID", profile, paaProfile = "PAA profile", chain, validity, duplicate }
    public let check: Check
    public let detail: String
    public var description: String { "pai import refused (\(check.rawValue)): \(detail); nothing was recorded" }
}

public struct PAIImportResult: Sendable {
    public let pai: AuthorityRecord
    public let paa: AuthorityRecord
    /// The PAA was recorded by this import (a `paa.import` ceremony), not already in the ledger.
    public let paaImported: Bool
    public let certificate: ParsedCertificate
    /// The token key's CKA_ID was changed to the certificate's SKID (the PAA operator computed another SKID).
    public let keyIDChanged: Bool
    public let request: PAIRequest
    public let files: [URL]
    /// Set when the import committed but its files could not be written (`matter-ca export` writes them).
    public let filesNotWritten: String?
}

extension Authority {
    /// `matter-ca pai import`: the certificate a PAA operator returned for a `pai csr`, accepted only if its key is
    /// a pending request's, it passes the Matter PAI profile (the verifier's rules), its VID/PID are the request's,
    /// and it chains to the PAA (`paa`, else the PAA the ledger already holds under the PAI's AKID), which itself
    /// passes the PAA profile, is self-signed and, like the PAI, valid now. Every check runs before anything is
    /// written. Then: the PAA recorded as external (`paa.import` ceremony) if new, the key's CKA_ID set to the
    /// certificate's SKID, the request's ceremony completed with the PAI, its files written.
    public func importPAI(_ pai: ParsedCertificate, paa given: ParsedCertificate?, by principal: Principal? = nil) throws -> PAIImportResult {
        let who = principal ?? .operator(actor)
        guard who.mayRequestCAs else { throw AuthorizationError.notPermitted(principal: who.description, request: "a PAI") }
        let (key, request) = try pendingKey(for: pai)
        let now = clock()

        let violations = MatterProfile.lint(pai, as: .pai, policy: .verifier)
        guard violations.isEmpty else { throw refusal(.profile, violations.map(\.description).joined(separator: "; ")) }
        let ids = try? pai.matterVIDPID()
        guard ids?.vid == request.vid else {
            throw refusal(.vid, "the certificate carries VID \(ids?.vid?.hex ?? "none"), request \(request.requestID) asked for \(request.vid.hex)")
        }
        guard ids?.pid == request.pid else {
            throw refusal(.pid, "the certificate carries PID \(ids?.pid?.hex ?? "none"), request \(request.requestID) asked for \(request.pid?.hex ?? "none")")
        }
        guard let skid = pai.subjectKeyIdentifier, let akid = pai.authorityKeyIdentifier else {
            throw refusal(.profile, "the certificate has no SKID or no AKID")   // the profile requires both; kept for safety
        }
        if let existing = try ledger.authority(skid: skid.hexString) {
            throw refusal(.duplicate, "the ledger already holds \(existing.type.uppercased()) \(existing.skid) \"\(existing.name)\"")
        }

        let recorded = try ledger.authorities(type: "paa").first { $0.skid == akid.hexString }
        let paa: ParsedCertificate
        if let given {
            if let recorded, recorded.certificateSHA256 != given.sha256.hexString {
                throw refusal(.chain, "the ledger already holds another PAA with SKID \(recorded.skid) (\"\(recorded.name)\"); --paa-cert is a different certificate")
            }
            paa = given
        } else {
            guard let recorded else {
                throw refusal(.chain, "no PAA with SKID \(akid.hexString) (the PAI's AKID) in the ledger; give the PAA operator's certificate with --paa-cert")
            }
            paa = try inventory.certificate(of: recorded)
        }
        try checkPAA(paa, now: now)
        let links = MatterProfile.lintIssuer(child: CertificateFacts(pai, as: .pai), issuer: CertificateFacts(paa, as: .paa), policy: .verifier)
        guard links.isEmpty else { throw refusal(.chain, links.map(\.description).joined(separator: "; ")) }
        guard akid == paa.subjectKeyIdentifier else { throw refusal(.chain, "AKID \(akid.hexString) is not the PAA SKID \(paa.subjectKeyIdentifier?.hexString ?? "none")") }
        try checkValid(pai, "PAI", now: now)
        if skid != key.keyID, (try? PKCS11Signer(pool: pool, keyID: skid)) != nil {
            throw refusal(.key, "another key on the token already has CKA_ID \(skid.hexString), the certificate's SKID")
        }

        // Checked: from here on the import is recorded.
        try OutputLocation.prepare(home.certificates)
        var paaRecord: AuthorityRecord
        if let recorded { paaRecord = recorded } else { paaRecord = try recordExternalPAA(paa, for: request, by: who) }
        let keyed = try key.changingKeyID(to: skid)
        let record = AuthorityRecord(skid: skid.hexString, type: "pai", name: request.name, tokenLabel: pool.tokenLabel, keyLabel: keyed.label,
                                     serial: pai.serialHex, parentSKID: paaRecord.skid, vid: ids?.vid.map { Int($0.rawValue) },
                                     pid: ids?.pid.map { Int($0.rawValue) }, certificateSHA256: pai.sha256.hexString, createdAt: clock())
        do {
            try ledger.completeCeremony(request.ceremony, certificate: Self.certificateRecord(pai, type: .pai, vid: ids?.vid, pid: ids?.pid, at: clock()), authority: record,
                                        payload: ["name": request.name, "request": request.requestID, "paa": paaRecord.skid, "external": "paa"])
        } catch {
            if keyed.keyID != key.keyID { _ = try? keyed.changingKeyID(to: key.keyID) }
            throw AuthorityError.from(error)
        }
        try checkpoint()
        paaRecord = try ledger.authority(skid: paaRecord.skid) ?? paaRecord
        var files: [URL] = []
        var problem: String?
        do {
            for (c, type) in [(pai, "pai")] + (recorded == nil ? [(paa, "paa")] : []) {
                let name = "\(type)-\((c.subjectKeyIdentifier ?? []).hexString)"
                for (ext, bytes) in [("pem", Array(CertificateFile.pem(c.der).utf8)), ("der", c.der)] {
                    let url = home.certificates.appendingPathComponent("\(name).\(ext)")
                    try FileOutput.write(bytes, to: url)
                    files.append(url)
                }
            }
        } catch { problem = "\(error)" }
        return PAIImportResult(pai: record, paa: paaRecord, paaImported: recorded == nil, certificate: pai, keyIDChanged: keyed.keyID != key.keyID,
                               request: request, files: files, filesNotWritten: problem)
    }

    func refusal(_ check: PAIImportRefusal.Check, _ detail: String) -> PAIImportRefusal { PAIImportRefusal(check: check, detail: detail) }

    /// The token key of a pending request whose public key is the certificate's. The key was generated with
    /// CKA_ID = SHA-1 of its point; an import interrupted after setting CKA_ID to the certificate's SKID is found
    /// under that.
    func pendingKey(for pai: ParsedCertificate) throws -> (PKCS11Signer, PAIRequest) {
        guard let point = pai.publicKey.p256 else {
            throw refusal(.key, "the certificate's public key is not an EC P-256 key (\(pai.publicKey.summary))")
        }
        let pending = try pendingPAIRequests()
        let hashID = CertificateBuilder.keyIdentifier(point)
        for id in [hashID] + [pai.subjectKeyIdentifier].compactMap({ $0 }).filter({ $0 != hashID }) {
            let key: PKCS11Signer
            do { key = try PKCS11Signer(pool: pool, keyID: id) } catch PKCS11LoadError.keyNotFound { continue } catch { throw AuthorityError.from(error) }
            // The token key's SubjectPublicKeyInfo against the certificate's, byte for byte.
            guard Array(key.publicKey.derRepresentation) == pai.publicKey.der else { continue }
            if let request = pending.first(where: { $0.keyLabel == key.label }) { return (key, request) }
            if let done = try ledger.authority(skid: id.hexString) {
                throw refusal(.duplicate, "the certificate's key is \(done.type.uppercased()) \(done.skid) \"\(done.name)\", already in the ledger")
            }
        }
        let list = pending.map { "\($0.requestID) (\"\($0.name)\", VID \($0.vid.hex))" }
        throw refusal(.key, "the certificate's public key (key identifier \(hashID.hexString)) is not the key of a pending PAI request; pending: "
                      + (list.isEmpty ? "none" : list.joined(separator: ", ")))
    }

    /// The PAA passes the PAA profile (verifier rules), is self-signed and valid now.
    func checkPAA(_ paa: ParsedCertificate, now: Date) throws {
        let violations = MatterProfile.lint(paa, as: .paa, policy: .verifier)
        guard violations.isEmpty else { throw refusal(.paaProfile, violations.map(\.description).joined(separator: "; ")) }
        guard paa.issuer.matchesForChaining(paa.subject), let key = paa.publicKey.p256, paa.isSignatureValid(issuerKey: key) else {
            throw refusal(.paaProfile, "the PAA is not self-signed: its signature does not verify with its own key")
        }
        try checkValid(paa, "PAA", now: now)
    }

    func checkValid(_ c: ParsedCertificate, _ what: String, now: Date) throws {
        let t = Int64(now.timeIntervalSince1970.rounded(.down))
        guard c.notBefore.secondsSince1970 <= t && t < c.notAfter.secondsSince1970 else {
            throw refusal(.validity, "the \(what)'s validity \(c.notBefore) … \(c.notAfter) does not cover now")
        }
    }

    /// The external PAA as its own ceremony: its certificate and an authority without a key here.
    func recordExternalPAA(_ paa: ParsedCertificate, for request: PAIRequest, by who: Principal) throws -> AuthorityRecord {
        let skid = (paa.subjectKeyIdentifier ?? []).hexString
        let ids = try? paa.matterVIDPID()
        let name = paa.subject.first(OID.commonName)?.stringValue ?? "\(paa.subject)"
        let ceremony = try ledger.beginCeremony(kind: "paa.import", actor: who.description,
                                                detail: ["name": name, "skid": skid, "certificateSHA256": paa.sha256.hexString, "request": request.requestID])
        let record = AuthorityRecord(skid: skid, type: "paa", name: name, tokenLabel: "", keyLabel: "", serial: paa.serialHex, parentSKID: nil,
                                     vid: ids?.vid.map { Int($0.rawValue) }, pid: nil, certificateSHA256: paa.sha256.hexString, createdAt: clock())
        do {
            try ledger.completeCeremony(ceremony, certificate: Self.certificateRecord(paa, type: .paa, vid: ids?.vid, pid: ids?.pid, at: clock()), authority: record,
                                        payload: ["name": name, "external": "true"])
        } catch {
            try? ledger.failCeremony(ceremony, reason: "\(error)")
            throw AuthorityError.from(error)
        }
        return record
    }
}

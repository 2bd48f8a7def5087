import CertificateTemplates
import Crypto
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

extension AuthorityRecord {
    /// A CA recorded without a key here: a PAA run by someone else, above a PAI of this authority (tokenLabel and
    /// keyLabel are empty). It is trusted for that chain only and signs nothing here.
    public var isExternal: Bool { tokenLabel.isEmpty }
}

/// A `pai csr` waiting for the certificate its PAA operator returns: the started `pai.csr` ceremony and what it
/// asked for (from the ceremony's start entry in the audit log).
public struct PAIRequest: Sendable {
    public let ceremony: CeremonyRecord
    /// Also in the key's label, which is how the token key is tied to the request.
    public let requestID: String
    public let name: String
    public let vid: VendorID
    public let pid: ProductID?
    public let keyLabel: String
}

public struct PAIRequestResult: Sendable {
    public let request: PAIRequest
    /// The key's CKA_ID (SHA-1 of its public point, the SKID a PAA operator computes the usual way).
    public let keyID: String
    public let csr: CSRBuilder.Request
    public let file: URL?
}

extension Authority {
    static let paiRequestKind = "pai.csr"

    /// An external CA has no key here: nothing is signed under it through this authority (authorization refuses
    /// every grant under one, before the ledger or the token is touched).
    func refuseIfExternal(_ ca: AuthorityRecord) throws {
        guard ca.isExternal else { return }
        throw AuthorityError.refused("\(ca.type.uppercased()) \(ca.skid) \"\(ca.name)\" is external: its key is not held by this authority (its operator signs under it; for a PAI: pai csr, then pai import)")
    }

    /// `matter-ca pai csr`: a PAI key generated in the operational token and a PKCS#10 request signed by it, for a
    /// PAA run by someone else. Order as for a ceremony: request and output checked, ceremony started (so a key
    /// in the token is always known to the ledger), key generated, request signed and written. A failure removes
    /// the key and fails the ceremony; on success the ceremony stays started until `pai import` completes it.
    public func requestPAI(name: String, vid: VendorID, pid: ProductID?, out: URL?, by principal: Principal? = nil) throws -> PAIRequestResult {
        let who = principal ?? .operator(actor)
        guard who.mayRequestCAs else { throw AuthorizationError.notPermitted(principal: who.description, request: "a PAI") }
        let template = templates[.pai]!
        func spec(_ key: P256.Signing.PublicKey) throws -> CertificateSpec {
            do { return try TemplateEngine.prepare(template, CertificateRequest(type: .pai, name: name, vid: vid, pid: pid, publicKey: key), now: clock()) } catch {
                throw AuthorityError.refused("request refused by template \(template.source): \(error)")
            }
        }
        _ = try spec(P256.Signing.PrivateKey().publicKey)   // the subject is checked before the ledger or the token is touched
        if let out {
            if (try? FileManager.default.attributesOfItem(atPath: out.path)) != nil {
                throw AuthorityError.refused("\(out.path) exists; refusing to overwrite it; nothing was recorded")
            }
            try OutputLocation.prepare(out.deletingLastPathComponent())
        }
        let requestID = UUID().uuidString
        let keyLabel = "PAI \(name) (request \(requestID))"
        let detail = ["name": name, "vid": vid.hex, "pid": pid?.hex ?? "none", "request": requestID, "keyLabel": keyLabel, "token": pool.tokenLabel]
        let record = try ledger.beginCeremony(kind: Self.paiRequestKind, actor: who.description, detail: detail)
        return try withCeremonyKey(record, pool: pool, label: keyLabel) { k in
            let csr = try CSRBuilder.request(try spec(k.publicKey), signer: k)
            if let out { try FileOutput.write(Data(csr.pem.utf8), to: out, mode: 0o644) }
            let request = PAIRequest(ceremony: record, requestID: requestID, name: name, vid: vid, pid: pid, keyLabel: keyLabel)
            return PAIRequestResult(request: request, keyID: k.keyID.hexString, csr: csr, file: out)
        }
    }

    /// The `pai csr` requests still waiting for their certificate.
    public func pendingPAIRequests() throws -> [PAIRequest] {
        let started = try ledger.ceremonies().filter { $0.kind == Self.paiRequestKind && $0.status == "started" }
        guard !started.isEmpty else { return [] }
        var details: [String: [String: String]] = [:]
        for e in try ledger.auditEntries(action: "\(Self.paiRequestKind).start", limit: 1_000_000) {
            if let d = try? JSONSerialization.jsonObject(with: Data(e.payload.utf8)) as? [String: String], let id = d["ceremony"] { details[id] = d }
        }
        return started.compactMap { c in
            guard let d = details[c.id], let name = d["name"], let vid = d["vid"].flatMap(VendorID.init(hex:)), let requestID = d["request"],
                  let keyLabel = d["keyLabel"] else { return nil }
            return PAIRequest(ceremony: c, requestID: requestID, name: name, vid: vid, pid: d["pid"].flatMap(ProductID.init(hex:)), keyLabel: keyLabel)
        }
    }
}

import Foundation

/// What each write records, once for every engine: the rows' stored values (in `LedgerSchema` column order) and the
/// audit payloads. The engines only decide how the statements reach their database.
extension AuthorityRecord {
    static let columns = ["skid", "type", "name", "tokenLabel", "keyLabel", "serial", "parentSKID", "vid", "pid", "certificateSHA256", "createdAt"]
    var values: [LedgerValue] {
        [.text(skid), .text(type), .text(name), .text(tokenLabel), .text(keyLabel), .text(serial), .optional(parentSKID), .optional(vid), .optional(pid),
         .text(certificateSHA256), .time(createdAt)]
    }
}

extension VendorRecord {
    static let columns = ["vid", "name", "contact", "source", "definitionSHA256", "updatedAt"]
    var values: [LedgerValue] { [.optional(vid), .text(name), .optional(contact), .text(source), .text(definitionSHA256), .time(updatedAt)] }
}

extension CeremonyRecord {
    static let columns = ["id", "kind", "actor", "status", "startedAt", "completedAt", "keySKID", "certificateSHA256", "detail"]
    var values: [LedgerValue] {
        [.text(id), .text(kind), .text(actor), .text(status), .time(startedAt), .optionalTime(completedAt), .optional(keySKID),
         .optional(certificateSHA256), .optional(detail)]
    }

    func completed(at: Date, authority: AuthorityRecord, certificate: CertificateRecord) -> CeremonyRecord {
        var c = self
        c.status = "completed"; c.completedAt = at; c.keySKID = authority.skid; c.certificateSHA256 = certificate.sha256
        return c
    }

    func failed(at: Date, reason: String) -> CeremonyRecord {
        var c = self
        c.status = "failed"; c.completedAt = at; c.detail = reason
        return c
    }

    func completionPayload(_ payload: [String: String], certificate: CertificateRecord, authority: AuthorityRecord) -> [String: String] {
        payload.merging(["ceremony": id, "serial": certificate.serial, "skid": authority.skid, "certificateSHA256": certificate.sha256]) { a, _ in a }
    }
}

extension BatchRecord {
    static let columns = ["id", "idempotencyKey", "vid", "pid", "paiSKID", "kind", "count", "requestSHA256", "status", "createdAt", "completedAt", "outputPath"]
    var values: [LedgerValue] {
        [.text(id), .text(idempotencyKey), .optional(vid), .optional(pid), .text(paiSKID), .text(kind), .optional(count), .text(requestSHA256),
         .text(status), .time(createdAt), .optionalTime(completedAt), .optional(outputPath)]
    }

    var startPayload: [String: String] {
        ["batch": id, "vid": String(format: "%04X", vid), "pid": String(format: "%04X", pid), "pai": paiSKID, "kind": kind, "count": String(count),
         "request": requestSHA256, "idempotencyKey": idempotencyKey]
    }

    /// Whether `owner` may take the lease at `at`: refused while another live owner holds it.
    func checkLease(owner: String, at: Date, ownerIsGone: (String) -> Bool) throws {
        if let holder = leaseOwner, holder != owner, let end = leaseUntil, end > at, !ownerIsGone(holder) {
            throw LedgerError.batchLeased(batchID: id, owner: holder, until: end)
        }
    }

    static func chunkPayload(_ certificates: [CertificateRecord], batchID: String) -> [String: String] {
        ["batch": batchID, "count": String(certificates.count),
         "items": "\(certificates.first?.batchItem ?? -1)…\(certificates.last?.batchItem ?? -1)"]
    }
}

extension CertificateGroup {
    /// The group's payload with its count and, for a single certificate, which one.
    var auditPayload: [String: String] {
        var p = payload
        p["count"] = String(certificates.count)
        if certificates.count == 1, let c = certificates.first {
            p["serial"] = c.serial; p["issuer"] = c.issuerSKID; p["certificateSHA256"] = c.sha256
        }
        return p
    }
}

extension VendorImportChange {
    static func summary(_ changes: [Int: VendorImportChange]) -> String {
        changes.sorted { $0.key < $1.key }.map { String(format: "%04X:", $0.key) + $0.value.rawValue }.joined(separator: " ")
    }
}

extension CRLRecord {
    static let columns = ["publication", "caSKID", "signerSKID", "partition", "number", "thisUpdate", "nextUpdate", "entries", "size", "sha256", "url",
                          "file", "auditSeq"]
    func values(auditSeq: Int64) -> [LedgerValue] {
        [.text(publication), .text(caSKID), .text(signerSKID), .optional(partition), .integer(number), .time(thisUpdate), .time(nextUpdate),
         .optional(entries), .optional(size), .text(sha256), .text(url), .text(file), .integer(auditSeq)]
    }

    var auditPayload: [String: String] {
        ["ca": caSKID, "signer": signerSKID, "partition": partition.map(String.init) ?? "-", "number": String(number), "entries": String(entries),
         "sha256": sha256, "url": url, "publication": publication]
    }
}

extension CredentialRecord {
    static let columns = ["id", "kind", "role", "vid", "label", "secretSHA256", "createdAt", "revokedAt"]
    var values: [LedgerValue] {
        [.text(id), .text(kind.rawValue), .text(role.rawValue), .optional(vid), .text(label), .text(secretSHA256), .time(createdAt), .null]
    }

    /// The audit entry names the credential, never its secret (nor its hash: the hash is in the row).
    var createPayload: [String: String] {
        ["id": id, "kind": kind.rawValue, "role": role.rawValue, "vid": vid.map { String(format: "%04X", $0) } ?? "", "label": label]
    }
}

/// Revocation facts: each row's hash, and the entry's payload binding them (in (issuer, serial) order).
struct RevocationBinding {
    private var hashes: [(key: String, hash: String)] = []

    mutating func add(issuerSKID: String, serial: String, reason: String, revokedAt: String, actor: String) -> String {
        let h = AuditChain.revocationHash(issuerSKID: issuerSKID, serial: serial, reason: reason, revokedAt: revokedAt, actor: actor)
        hashes.append(("\(issuerSKID)\u{0}\(serial)", h))
        return h
    }

    func payload(_ payload: [String: String], reason: String) -> [String: String] {
        var d = AuditChain.Digest()
        for h in hashes.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { d.add(h.hash) }
        var p = payload
        p["reason"] = reason
        p[AuditChain.revocationsCount] = String(d.count); p[AuditChain.revocationsDigest] = d.finalize()
        return p
    }
}

import Foundation

/// The write workflows, once for both engines: each records its facts and the audit entry that describes them in one
/// transaction of its engine (`LedgerEngine.writeTransaction`), through `LedgerWriteTransaction`'s primitives. The
/// time is read before the transaction begins. (These public members of an internal protocol's extension are the
/// `Ledger` methods of the public classes that adopt it.)
extension LedgerEngine {
    public func audit(actor: String, action: String, payload: [String: String]) throws {
        let at = now()
        try writeTransaction(audited: true) { tx in try tx.appendAudit(at: at, actor: actor, action: action, payload: payload) }
    }

    // MARK: certificates and ceremonies

    public func recordCertificates(_ groups: [CertificateGroup]) throws {
        let at = now()
        try writeTransaction(audited: true) { tx in
            for g in groups where !g.certificates.isEmpty {
                try tx.appendCertificates(g.certificates, at: at, actor: g.actor, action: g.action, payload: g.auditPayload)
            }
        }
    }

    public func beginCeremony(kind: String, actor: String, detail: [String: String]) throws -> CeremonyRecord {
        let at = now()
        let c = CeremonyRecord(id: UUID().uuidString, kind: kind, actor: actor, status: "started", startedAt: at, completedAt: nil,
                               keySKID: nil, certificateSHA256: nil, detail: nil)
        try writeTransaction(audited: true) { tx in
            try tx.upsert("ceremonies", columns: CeremonyRecord.columns, values: c.values)
            try tx.appendAudit(at: at, actor: actor, action: "\(kind).start", payload: detail.merging(["ceremony": c.id]) { a, _ in a })
        }
        return c
    }

    public func completeCeremony(_ ceremony: CeremonyRecord, certificate: CertificateRecord, authority: AuthorityRecord,
                                 payload: [String: String]) throws {
        let at = now()
        try writeTransaction(audited: true) { tx in
            try tx.insert("authorities", columns: AuthorityRecord.columns, rows: [authority.values])
            try tx.upsert("ceremonies", columns: CeremonyRecord.columns, values: ceremony.completed(at: at, authority: authority, certificate: certificate).values)
            try tx.appendCertificates([certificate], at: at, actor: ceremony.actor, action: ceremony.kind,
                                      payload: ceremony.completionPayload(payload, certificate: certificate, authority: authority))
        }
    }

    public func recordCeremony(_ ceremony: CeremonyRecord, steps: [CeremonyStepFacts], transcriptSHA256: String) throws {
        let at = now()
        try writeTransaction(audited: true) { tx in
            try tx.upsert("ceremonies", columns: CeremonyRecord.columns, values: ceremony.values)
            for (n, step) in steps.enumerated() {
                try tx.insert("authorities", columns: AuthorityRecord.columns, rows: [step.authority.values])
                try tx.appendCertificates([step.certificate], at: at, actor: ceremony.actor, action: step.action,
                                          payload: ceremony.completionPayload(step.payload.merging(["step": String(n + 1)]) { a, _ in a },
                                                                              certificate: step.certificate, authority: step.authority))
            }
            try tx.appendAudit(at: at, actor: ceremony.actor, action: "ceremony.transcript",
                               payload: ["ceremony": ceremony.id, "transcriptSHA256": transcriptSHA256, "steps": String(steps.count)])
        }
    }

    public func failCeremony(_ ceremony: CeremonyRecord, reason: String) throws {
        let at = now()
        try writeTransaction(audited: true) { tx in
            try tx.upsert("ceremonies", columns: CeremonyRecord.columns, values: ceremony.failed(at: at, reason: reason).values)
            try tx.appendAudit(at: at, actor: ceremony.actor, action: "\(ceremony.kind).failed", payload: ["ceremony": ceremony.id, "reason": reason])
        }
    }

    // MARK: vendors

    public func importVendors(_ definitions: [VendorDefinition], actor: String, source: String) throws -> [Int: VendorImportChange] {
        let at = now()
        return try writeTransaction(audited: true) { tx in
            var changes: [Int: VendorImportChange] = [:]
            for d in definitions {
                let vid = LedgerValue.optional(d.vendor.vid)
                let existing = try tx.selectOne(["definitionSHA256"], from: "vendors", where: ["vid": vid], locked: false)?.text("definitionSHA256")
                if existing == d.vendor.definitionSHA256 { changes[d.vendor.vid] = .unchanged; continue }
                changes[d.vendor.vid] = existing == nil ? .added : .updated
                try tx.delete(from: "vendor_products", where: ["vid": vid])
                try tx.delete(from: "vendor_pais", where: ["vid": vid])
                try tx.upsert("vendors", columns: VendorRecord.columns, values: d.vendor.values)
                try tx.insert("vendor_products", columns: ["vid", "first", "last"],
                              rows: d.products.map { [vid, .optional($0.lowerBound), .optional($0.upperBound)] })
                try tx.insert("vendor_pais", columns: ["vid", "paiSKID"], rows: d.paiSKIDs.map { [vid, .text($0)] })
            }
            if changes.values.contains(where: { $0 != .unchanged }) {
                try tx.appendAudit(at: at, actor: actor, action: "vendor.import", payload: ["source": source, "changes": VendorImportChange.summary(changes)])
            }
            return changes
        }
    }

    // MARK: batches

    /// The key is claimed by the unique constraint: of two processes creating a batch with one key, the second gets
    /// `idempotencyKeyTaken` (its transaction rolled back: no batch, no audit entry).
    public func createBatch(_ b: BatchRecord, actor: String) throws {
        let at = now()
        do {
            try writeTransaction(audited: true) { tx in
                try tx.insert("batches", columns: BatchRecord.columns, rows: [b.values])
                try tx.appendAudit(at: at, actor: actor, action: "dac.batch.start", payload: b.startPayload)
            }
        } catch LedgerError.idempotencyKeyTaken { throw LedgerError.idempotencyKeyTaken(b.idempotencyKey) }
    }

    /// The batch row stays locked while the lease is checked and taken: of two claimers, the second sees the first
    /// one's lease. No audit entry (a lease is not a fact of the authority).
    public func claimBatch(id: String, owner: String, until: Date, ownerIsGone: (String) -> Bool) throws {
        let at = now()
        try writeTransaction(audited: false) { tx in
            guard let b = try tx.selectOne([], from: "batches", where: ["id": .text(id)], locked: true).map(BatchRecord.init(row:)) else {
                throw LedgerError.notFound("batch \(id)")
            }
            try b.checkLease(owner: owner, at: at, ownerIsGone: ownerIsGone)
            try tx.update("batches", set: ["leaseOwner": .text(owner), "leaseUntil": .time(until)], where: ["id": .text(id)])
        }
    }

    public func commitChunk(_ certificates: [CertificateRecord], batchID: String, actor: String) throws {
        guard !certificates.isEmpty else { return }
        let at = now()
        do {
            try writeTransaction(audited: true) { tx in
                try tx.appendCertificates(certificates, at: at, actor: actor, action: "dac.batch.issue",
                                          payload: BatchRecord.chunkPayload(certificates, batchID: batchID))
            }
        } catch LedgerError.batchItemClash { throw LedgerError.batchItemClash(batchID: batchID) }
    }

    public func completeBatch(_ id: String, actor: String) throws {
        let at = now()
        try writeTransaction(audited: true) { tx in
            guard let status = try tx.selectOne(["status"], from: "batches", where: ["id": .text(id)], locked: true)?.text("status") else {
                throw LedgerError.notFound("batch \(id)")
            }
            guard status != "completed" else { return }
            try tx.update("batches", set: ["status": .text("completed"), "completedAt": .time(at), "leaseOwner": .null, "leaseUntil": .null],
                          where: ["id": .text(id)])
            let n = try tx.count("certificates", where: ["batchID": .text(id)])
            try tx.appendAudit(at: at, actor: actor, action: "dac.batch.complete", payload: ["batch": id, "count": String(n)])
        }
    }

    // MARK: revocations and CRLs

    public func revoke(_ certificates: [(issuerSKID: String, serial: String)], reason: String, actor: String, payload: [String: String]) throws -> RevocationOutcome {
        let at = now()
        let time = LedgerTime.storage(at)
        return try writeTransaction(audited: true) { tx in
            var outcome = RevocationOutcome(revoked: 0, alreadyRevoked: 0)
            let seq = try tx.auditHead().seq + 1
            var binding = RevocationBinding()
            for c in certificates {
                guard let status = try tx.certificateStatus(issuerSKID: c.issuerSKID, serial: c.serial) else {
                    throw LedgerError.notFound("certificate \(c.serial) of issuer \(c.issuerSKID)")
                }
                if status == "revoked" { outcome.alreadyRevoked += 1; continue }
                let h = binding.add(issuerSKID: c.issuerSKID, serial: c.serial, reason: reason, revokedAt: time, actor: actor)
                try tx.recordRevocation(issuerSKID: c.issuerSKID, serial: c.serial, reason: reason, revokedAt: time, actor: actor, auditSeq: seq, rowHash: h)
                outcome.revoked += 1
            }
            guard outcome.revoked > 0 else { return outcome }   // revoking twice writes nothing
            let appended = try tx.appendAudit(at: at, actor: actor, action: "revoke", payload: binding.payload(payload, reason: reason))
            precondition(appended == seq, "the audit head moved inside one write transaction")
            return outcome
        }
    }

    /// The CRLs of one publication with one audit entry each, in one transaction; a number a signer used before is
    /// refused by the unique index (two publishers racing), and nothing of the run is recorded.
    public func recordCRLs(_ crls: [CRLRecord], actor: String) throws {
        let at = now()
        try writeTransaction(audited: true) { tx in
            for c in crls {
                let seq = try tx.appendAudit(at: at, actor: actor, action: "crl.publish", payload: c.auditPayload)
                try tx.insert("crls", columns: CRLRecord.columns, rows: [c.values(auditSeq: seq)])
            }
        }
    }

    // MARK: credentials

    public func addCredential(_ c: CredentialRecord, actor: String) throws {
        let at = now()
        try writeTransaction(audited: true) { tx in
            try tx.insert("credentials", columns: CredentialRecord.columns, rows: [c.values])
            try tx.appendAudit(at: at, actor: actor, action: "credential.create", payload: c.createPayload)
        }
    }

    public func revokeCredential(id: String, actor: String) throws -> Bool {
        let at = now()
        return try writeTransaction(audited: true) { tx in
            guard let c = try tx.selectOne([], from: "credentials", where: ["id": .text(id)], locked: true).map(CredentialRecord.init(row:)) else {
                throw LedgerError.notFound("credential \(id)")
            }
            guard c.revokedAt == nil else { return false }
            try tx.update("credentials", set: ["revokedAt": .time(at)], where: ["id": .text(id)])
            try tx.appendAudit(at: at, actor: actor, action: "credential.revoke", payload: ["id": id])
            return true
        }
    }
}

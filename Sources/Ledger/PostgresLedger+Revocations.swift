import Foundation

extension PostgresLedger {
    public func revoke(_ certificates: [(issuerSKID: String, serial: String)], reason: String, actor: String, payload: [String: String]) throws -> RevocationOutcome {
        let at = now()
        let time = LedgerTime.storage(at)
        return try audited { s in
            var outcome = RevocationOutcome(revoked: 0, alreadyRevoked: 0)
            let seq = try PostgresAudit.head(s).seq + 1
            var binding = RevocationBinding()
            for c in certificates {
                let key: [LedgerValue] = [.text(c.issuerSKID), .text(c.serial)]
                guard let status = try s.one(#"SELECT status FROM certificates WHERE "issuerSKID" = $1 AND serial = $2 FOR UPDATE"#, key)?.text("status") else {
                    throw LedgerError.notFound("certificate \(c.serial) of issuer \(c.issuerSKID)")
                }
                if status == "revoked" { outcome.alreadyRevoked += 1; continue }
                let h = binding.add(issuerSKID: c.issuerSKID, serial: c.serial, reason: reason, revokedAt: time, actor: actor)
                try s.execute(#"""
                    INSERT INTO revocations ("issuerSKID", serial, reason, "revokedAt", actor, "auditSeq", "rowHash") VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """#, key + [.text(reason), .text(time), .text(actor), .integer(seq), .text(h)])
                try s.execute(#"UPDATE certificates SET status = 'revoked' WHERE "issuerSKID" = $1 AND serial = $2"#, key)
                outcome.revoked += 1
            }
            guard outcome.revoked > 0 else { return outcome }   // revoking twice writes nothing
            let appended = try PostgresAudit.append(s, at: at, actor: actor, action: "revoke", payload: binding.payload(payload, reason: reason))
            precondition(appended == seq, "the audit head moved inside one audited transaction")
            return outcome
        }
    }

    public func forEachRevocation(issuerSKID: String, _ body: (RevocationRecord) throws -> Void) throws {
        try read { s in
            try s.stream("SELECT * FROM revocations WHERE \"issuerSKID\" = $1 ORDER BY serial", [.text(issuerSKID)]) { row in
                try body(RevocationRecord(row: row)); return true
            }
        }
    }

    public func revocation(issuerSKID: String, serial: String) throws -> RevocationRecord? {
        try read { s in
            try s.one(#"SELECT * FROM revocations WHERE "issuerSKID" = $1 AND serial = $2"#, [.text(issuerSKID), .text(serial)]).map(RevocationRecord.init(row:))
        }
    }

    public func serials(issuedBy issuerSKID: String) throws -> [String] {
        try read { s in try s.query(#"SELECT serial FROM certificates WHERE "issuerSKID" = $1 ORDER BY serial"#, [.text(issuerSKID)]).map { $0.text("serial") } }
    }
}

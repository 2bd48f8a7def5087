import Foundation

extension PostgresLedger {
    public func addCredential(_ c: CredentialRecord, actor: String) throws {
        let at = now()
        try audited { s in
            try PostgresAudit.insert(s, table: "credentials", columns: CredentialRecord.columns, rows: [c.values])
            try PostgresAudit.append(s, at: at, actor: actor, action: "credential.create", payload: c.createPayload)
        }
    }

    public func credential(secretSHA256: String) throws -> CredentialRecord? {
        try read { s in try s.one(#"SELECT * FROM credentials WHERE "secretSHA256" = $1"#, [.text(secretSHA256)]).map(CredentialRecord.init(row:)) }
    }

    public func credentials() throws -> [CredentialRecord] {
        try read { s in try s.query(#"SELECT * FROM credentials ORDER BY "createdAt", id"#).map(CredentialRecord.init(row:)) }
    }

    public func revokeCredential(id: String, actor: String) throws -> Bool {
        let at = now()
        return try audited { s in
            guard let c = try s.one("SELECT * FROM credentials WHERE id = $1 FOR UPDATE", [.text(id)]).map(CredentialRecord.init(row:)) else {
                throw LedgerError.notFound("credential \(id)")
            }
            guard c.revokedAt == nil else { return false }
            try s.execute(#"UPDATE credentials SET "revokedAt" = $1 WHERE id = $2"#, [.time(at), .text(id)])
            try PostgresAudit.append(s, at: at, actor: actor, action: "credential.revoke", payload: ["id": id])
            return true
        }
    }
}

import Foundation
internal import GRDB

extension CredentialRecord {
    init(row: Row) {
        self.init(id: row["id"], kind: Kind(rawValue: row["kind"]) ?? .token, role: Role(rawValue: row["role"]) ?? .vendor, vid: row["vid"],
                  label: row["label"], secretSHA256: row["secretSHA256"], createdAt: row.date("createdAt"), revokedAt: row.optionalDate("revokedAt"))
    }
}

extension SQLiteLedger {
    public func addCredential(_ c: CredentialRecord, actor: String) throws {
        let at = now()
        try write { db in
            try db.execute(sql: """
                INSERT INTO credentials (id, kind, role, vid, label, secretSHA256, createdAt, revokedAt) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
                """, arguments: [c.id, c.kind.rawValue, c.role.rawValue, c.vid, c.label, c.secretSHA256, LedgerTime.storage(c.createdAt)])
            // The audit entry names the credential, never its secret (nor its hash: the hash is in the row).
            try SQLiteAudit.append(db, at: at, actor: actor, action: "credential.create", payload: [
                "id": c.id, "kind": c.kind.rawValue, "role": c.role.rawValue, "vid": c.vid.map { String(format: "%04X", $0) } ?? "", "label": c.label])
        }
    }

    public func credential(secretSHA256: String) throws -> CredentialRecord? {
        try read { db in try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM credentials WHERE secretSHA256 = ?"), arguments: [secretSHA256]).map(CredentialRecord.init(row:)) }
    }

    public func credentials() throws -> [CredentialRecord] {
        try read { db in try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM credentials ORDER BY createdAt")).map(CredentialRecord.init(row:)) }
    }

    public func revokeCredential(id: String, actor: String) throws -> Bool {
        let at = now()
        return try write { db in
            guard let c = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM credentials WHERE id = ?"), arguments: [id]).map(CredentialRecord.init(row:)) else {
                throw LedgerError.notFound("credential \(id)")
            }
            guard c.revokedAt == nil else { return false }
            try db.execute(sql: "UPDATE credentials SET revokedAt = ? WHERE id = ?", arguments: [LedgerTime.storage(at), id])
            try SQLiteAudit.append(db, at: at, actor: actor, action: "credential.revoke", payload: ["id": id])
            return true
        }
    }
}

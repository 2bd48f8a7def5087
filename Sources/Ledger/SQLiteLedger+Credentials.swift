import Foundation
internal import GRDB

extension SQLiteLedger {
    public func addCredential(_ c: CredentialRecord, actor: String) throws {
        let at = now()
        try write { db in
            try db.insert("credentials", CredentialRecord.columns, c.values)
            try SQLiteAudit.append(db, at: at, actor: actor, action: "credential.create", payload: c.createPayload)
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

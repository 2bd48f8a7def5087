import Foundation

extension PostgresLedger {
    public func credential(secretSHA256: String) throws -> CredentialRecord? {
        try read { s in try s.one(#"SELECT * FROM credentials WHERE "secretSHA256" = $1"#, [.text(secretSHA256)]).map(CredentialRecord.init(row:)) }
    }

    public func credentials() throws -> [CredentialRecord] {
        try read { s in try s.query(#"SELECT * FROM credentials ORDER BY "createdAt", id"#).map(CredentialRecord.init(row:)) }
    }
}

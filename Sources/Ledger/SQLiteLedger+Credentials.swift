import Foundation
internal import GRDB

extension SQLiteLedger {
    public func credential(secretSHA256: String) throws -> CredentialRecord? {
        try readStatement { db in try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM credentials WHERE secretSHA256 = ?"), arguments: [secretSHA256]).map(CredentialRecord.init(row:)) }
    }

    public func credentials() throws -> [CredentialRecord] {
        try read { db in try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM credentials ORDER BY createdAt")).map(CredentialRecord.init(row:)) }
    }
}

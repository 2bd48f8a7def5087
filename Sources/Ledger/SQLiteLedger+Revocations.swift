import Foundation
internal import GRDB

extension SQLiteLedger {
    public func revoke(_ certificates: [(issuerSKID: String, serial: String)], reason: String, actor: String, payload: [String: String]) throws -> RevocationOutcome {
        let at = now()
        let time = LedgerTime.storage(at)
        return try write { db in
            var outcome = RevocationOutcome(revoked: 0, alreadyRevoked: 0)
            let seq = try SQLiteAudit.head(db).seq + 1
            var binding = RevocationBinding()
            let find = try db.cachedStatement(sql: "SELECT status FROM certificates WHERE issuerSKID = ? AND serial = ?")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO revocations (issuerSKID, serial, reason, revokedAt, actor, auditSeq, rowHash) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            let mark = try db.cachedStatement(sql: "UPDATE certificates SET status = 'revoked' WHERE issuerSKID = ? AND serial = ?")
            for c in certificates {
                guard let status = try String.fetchOne(find, arguments: [c.issuerSKID, c.serial]) else {
                    throw LedgerError.notFound("certificate \(c.serial) of issuer \(c.issuerSKID)")
                }
                if status == "revoked" { outcome.alreadyRevoked += 1; continue }
                let h = binding.add(issuerSKID: c.issuerSKID, serial: c.serial, reason: reason, revokedAt: time, actor: actor)
                try insert.execute(arguments: [c.issuerSKID, c.serial, reason, time, actor, seq, h])
                try mark.execute(arguments: [c.issuerSKID, c.serial])
                outcome.revoked += 1
            }
            guard outcome.revoked > 0 else { return outcome }   // revoking twice writes nothing
            let appended = try SQLiteAudit.append(db, at: at, actor: actor, action: "revoke", payload: binding.payload(payload, reason: reason))
            precondition(appended == seq, "the audit head moved inside one write transaction")
            return outcome
        }
    }

    public func forEachRevocation(issuerSKID: String, _ body: (RevocationRecord) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(try db.cachedStatement(sql: "SELECT * FROM revocations WHERE issuerSKID = ? ORDER BY serial"), arguments: [issuerSKID])
            while let row = try rows.next() { try body(RevocationRecord(row: row)) }
        }
    }

    public func revocation(issuerSKID: String, serial: String) throws -> RevocationRecord? {
        try read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM revocations WHERE issuerSKID = ? AND serial = ?"), arguments: [issuerSKID, serial])
                .map(RevocationRecord.init(row:))
        }
    }
}

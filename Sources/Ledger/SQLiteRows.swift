import Foundation
internal import GRDB

/// Row ⇄ record mapping by hand: the public records know nothing of GRDB, and times are written in the one
/// stored form that the audit chain hashes (`LedgerTime.storage`).
extension Row {
    func date(_ column: String) -> Date {
        if let s = self[column] as String?, let d = LedgerTime.parse(s) { return d }
        return Date(timeIntervalSince1970: 0)
    }
    func optionalDate(_ column: String) -> Date? { (self[column] as String?).flatMap(LedgerTime.parse) }
}

extension AuthorityRecord {
    init(row: Row) {
        self.init(skid: row["skid"], type: row["type"], name: row["name"], tokenLabel: row["tokenLabel"], keyLabel: row["keyLabel"],
                  serial: row["serial"], parentSKID: row["parentSKID"], vid: row["vid"], pid: row["pid"],
                  certificateSHA256: row["certificateSHA256"], createdAt: row.date("createdAt"))
    }

    func insert(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO authorities (skid, type, name, tokenLabel, keyLabel, serial, parentSKID, vid, pid, certificateSHA256, createdAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [skid, type, name, tokenLabel, keyLabel, serial, parentSKID, vid, pid, certificateSHA256, LedgerTime.storage(createdAt)])
    }
}

extension CertificateRecord {
    init(row: Row) {
        self.init(issuerSKID: row["issuerSKID"], serial: row["serial"], type: row["type"], subject: row["subject"], skid: row["skid"],
                  vid: row["vid"], pid: row["pid"], notBefore: row.date("notBefore"), notAfter: row.date("notAfter"), der: row["der"],
                  sha256: row["sha256"], status: row["status"], batchID: row["batchID"], batchItem: row["batchItem"], createdAt: row.date("createdAt"))
    }

    /// The facts as they will be stored, for the row hash.
    var facts: AuditChain.RowFacts {
        AuditChain.RowFacts(issuerSKID: issuerSKID, serial: serial, type: type, subject: subject, skid: skid, vid: vid, pid: pid,
                            notBefore: LedgerTime.storage(notBefore), notAfter: LedgerTime.storage(notAfter),
                            createdAt: LedgerTime.storage(createdAt), sha256: sha256, batchID: batchID, batchItem: batchItem)
    }

    static let insertSQL = """
        INSERT INTO certificates (issuerSKID, serial, type, subject, skid, vid, pid, notBefore, notAfter, der, sha256, status, batchID,
                                  batchItem, createdAt, auditSeq, rowHash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the row bound to audit entry `seq`; returns its row hash.
    func insert(_ db: Database, auditSeq seq: Int64) throws -> String {
        let f = facts
        let rowHash = f.hash
        try db.cachedStatement(sql: Self.insertSQL).execute(arguments: [
            issuerSKID, serial, type, subject, skid, vid, pid, f.notBefore, f.notAfter, der, sha256, status, batchID, batchItem,
            f.createdAt, seq, rowHash])
        return rowHash
    }
}

extension CeremonyRecord {
    init(row: Row) {
        self.init(id: row["id"], kind: row["kind"], actor: row["actor"], status: row["status"], startedAt: row.date("startedAt"),
                  completedAt: row.optionalDate("completedAt"), keySKID: row["keySKID"], certificateSHA256: row["certificateSHA256"],
                  detail: row["detail"])
    }

    func save(_ db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO ceremonies (id, kind, actor, status, startedAt, completedAt, keySKID, certificateSHA256, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, kind, actor, status, LedgerTime.storage(startedAt), completedAt.map(LedgerTime.storage), keySKID,
                             certificateSHA256, detail])
    }
}

extension VendorRecord {
    init(row: Row) {
        self.init(vid: row["vid"], name: row["name"], contact: row["contact"], source: row["source"],
                  definitionSHA256: row["definitionSHA256"], updatedAt: row.date("updatedAt"))
    }
}

extension BatchRecord {
    init(row: Row) {
        self.init(id: row["id"], idempotencyKey: row["idempotencyKey"], vid: row["vid"], pid: row["pid"], paiSKID: row["paiSKID"],
                  kind: row["kind"], count: row["count"], requestSHA256: row["requestSHA256"], status: row["status"],
                  createdAt: row.date("createdAt"), completedAt: row.optionalDate("completedAt"), outputPath: row["outputPath"])
        leaseOwner = row["leaseOwner"]
        leaseUntil = row.optionalDate("leaseUntil")
    }

    func insert(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO batches (id, idempotencyKey, vid, pid, paiSKID, kind, count, requestSHA256, status, createdAt, completedAt, outputPath)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, idempotencyKey, vid, pid, paiSKID, kind, count, requestSHA256, status, LedgerTime.storage(createdAt),
                             completedAt.map(LedgerTime.storage), outputPath])
    }
}

extension AuditEntry {
    init(row: Row) {
        self.init(seq: row["seq"], at: row["at"], actor: row["actor"], action: row["action"], payload: row["payload"],
                  payloadSHA256: row["payloadSHA256"], prevHash: row["prevHash"], hash: row["hash"], format: row["format"] ?? 1)
    }
}

extension AuditChain.RowFacts {
    /// The facts of a stored row, times in their stored text form (what the row hash covers).
    init(row: Row) {
        self.init(issuerSKID: row["issuerSKID"], serial: row["serial"], type: row["type"], subject: row["subject"], skid: row["skid"],
                  vid: row["vid"], pid: row["pid"], notBefore: row["notBefore"], notAfter: row["notAfter"], createdAt: row["createdAt"],
                  sha256: row["sha256"], batchID: row["batchID"], batchItem: row["batchItem"])
    }
}

import Crypto
import Foundation
internal import GRDB

/// The audit log in SQLite: appended inside the caller's write transaction, so an entry commits with the facts it
/// records, and walked by `verify` together with the certificate rows it binds and the signed checkpoints.
enum SQLiteAudit {
    static func head(_ db: Database) throws -> AuditHead {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") else {
            return AuditHead(seq: 0, hash: AuditChain.genesis)
        }
        return AuditHead(seq: row["seq"], hash: row["hash"])
    }

    @discardableResult
    static func append(_ db: Database, at: Date, actor: String, action: String, payload: [String: String]) throws -> Int64 {
        let last = try head(db)
        let seq = last.seq + 1
        let body = AuditChain.payloadText(payload)
        let time = LedgerTime.storage(at)
        let digest = AuditChain.sha256(body)
        let hash = AuditChain.hash(format: 2, prev: last.hash, seq: seq, at: time, actor: actor, action: action, payloadSHA256: digest)
        try db.execute(sql: """
            INSERT INTO audit_log (seq, at, actor, action, payload, payloadSHA256, prevHash, hash, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2)
            """, arguments: [seq, time, actor, action, body, digest, last.hash, hash])
        return seq
    }

    /// Inserts certificate rows bound to the next audit entry, then that entry, whose payload carries the count and
    /// digest of the rows (in (issuer, serial) order, the order `verify` reads them in). A row's status is not part
    /// of its hash: a status is "issued" unless a later fact (a revocation, bound to its own entry) says otherwise.
    static func appendCertificates(_ db: Database, _ certificates: [CertificateRecord], at: Date, actor: String, action: String,
                                   payload: [String: String]) throws {
        let seq = try head(db).seq + 1
        var hashes: [(key: String, row: String)] = []
        hashes.reserveCapacity(certificates.count)
        for c in certificates {
            precondition(c.status == "issued", "a certificate is recorded as issued")
            hashes.append(("\(c.issuerSKID)\u{0}\(c.serial)", try c.insert(db, auditSeq: seq)))
        }
        hashes.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var rows = AuditChain.Digest()
        for h in hashes { rows.add(h.row) }
        var p = payload
        p[AuditChain.rowsCount] = String(rows.count); p[AuditChain.rowsDigest] = rows.finalize()
        let appended = try append(db, at: at, actor: actor, action: action, payload: p)
        precondition(appended == seq, "the audit head moved inside one write transaction")
    }

    static func verify(_ db: Database, checkpointKey: P256.Signing.PublicKey?) throws -> AuditReport {
        var report = AuditReport(entries: 0, certificateRows: 0, checkpoints: 0, lastCheckpointSeq: nil,
                                 checkpointSignaturesChecked: checkpointKey != nil, problems: [])
        // 1. The chain itself, and what each entry says it bound.
        var expected: [Int64: (rows: Int, rowsDigest: String)] = [:]
        var expectedRevocations: [Int64: (rows: Int, rowsDigest: String)] = [:]
        var hashes: [Int64: String] = [:]
        var prev = AuditChain.genesis, expectedSeq: Int64 = 1
        let entries = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
        while let row = try entries.next() {
            let e = AuditEntry(row: row)
            report.entries += 1
            if e.seq != expectedSeq {
                report.problems.append(.init(kind: .chain, seq: expectedSeq, row: nil, reason: "entries \(expectedSeq)…\(e.seq - 1) are missing"))
                return report
            }
            if e.prevHash != prev { report.problems.append(.init(kind: .chain, seq: e.seq, row: nil, reason: "prevHash does not match the hash of entry \(e.seq - 1)")); return report }
            if AuditChain.sha256(e.payload) != e.payloadSHA256 { report.problems.append(.init(kind: .chain, seq: e.seq, row: nil, reason: "payload does not match its SHA-256")); return report }
            let h = AuditChain.hash(format: e.format, prev: prev, seq: e.seq, at: e.at, actor: e.actor, action: e.action, payloadSHA256: e.payloadSHA256)
            if h != e.hash { report.problems.append(.init(kind: .chain, seq: e.seq, row: nil, reason: "hash does not match the entry's fields")); return report }
            if let p = try? JSONSerialization.jsonObject(with: Data(e.payload.utf8)) as? [String: String] {
                if let rc = p[AuditChain.rowsCount].flatMap(Int.init), let rd = p[AuditChain.rowsDigest] { expected[e.seq] = (rc, rd) }
                if let rc = p[AuditChain.revocationsCount].flatMap(Int.init), let rd = p[AuditChain.revocationsDigest] {
                    expectedRevocations[e.seq] = (rc, rd)
                }
            }
            hashes[e.seq] = e.hash
            prev = e.hash
            expectedSeq += 1
        }
        let lastSeq = expectedSeq - 1
        // 2. Every certificate row: its own facts, and the entry that recorded it.
        try verifyRows(db, expected: expected, into: &report)
        try verifyRevocations(db, expected: expectedRevocations, into: &report)
        // 3. Signed checkpoints: each one names an entry that must still exist with the hash it signed.
        let checkpoints = try Row.fetchAll(db, sql: "SELECT * FROM audit_checkpoints ORDER BY seq")
        for row in checkpoints {
            let c = AuditCheckpoint(seq: row["seq"], hash: row["hash"], at: row["at"], keyID: row["keyID"], signature: row["signature"])
            report.checkpoints += 1
            report.lastCheckpointSeq = c.seq
            if let key = checkpointKey {
                let ok = (try? P256.Signing.ECDSASignature(derRepresentation: c.signature)).map {
                    key.isValidSignature($0, for: AuditCheckpoint.message(seq: c.seq, hash: c.hash, at: c.at))
                } ?? false
                if !ok { report.problems.append(.init(kind: .checkpoint, seq: c.seq, row: nil, reason: "the signature of the checkpoint of \(c.at) does not verify with the token's checkpoint key")); continue }
            }
            if c.seq > lastSeq {
                report.problems.append(.init(kind: .checkpoint, seq: c.seq, row: nil,
                    reason: "the checkpoint of \(c.at) signed entry \(c.seq), but the log ends at entry \(lastSeq): entries \(lastSeq + 1)…\(c.seq) were deleted"))
            } else if hashes[c.seq] != c.hash {
                report.problems.append(.init(kind: .checkpoint, seq: c.seq, row: nil,
                    reason: "entry \(c.seq) is not the entry the checkpoint of \(c.at) signed: the chain was rewritten"))
            }
        }
        return report
    }

    static func verifyRows(_ db: Database, expected: [Int64: (rows: Int, rowsDigest: String)],
                           into report: inout AuditReport) throws {
        var seen: [Int64: AuditChain.Digest] = [:]
        var current: (seq: Int64, digest: AuditChain.Digest)?
        // Each broken row is named, up to a screenful; the rest are counted.
        var rowProblems = 0
        func problem(_ p: AuditReport.Problem) {
            rowProblems += 1
            if rowProblems <= 20 { report.problems.append(p) }
        }
        func close() {
            if let c = current { seen[c.seq] = c.digest }
        }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT c.issuerSKID, c.serial, c.type, c.subject, c.skid, c.vid, c.pid, c.notBefore, c.notAfter, c.der, c.sha256, c.batchID,
                   c.batchItem, c.createdAt, c.auditSeq, c.rowHash, c.status, r.serial AS revokedSerial
            FROM certificates c LEFT JOIN revocations r ON r.issuerSKID = c.issuerSKID AND r.serial = c.serial
            ORDER BY c.auditSeq, c.issuerSKID, c.serial
            """)
        while let row = try rows.next() {
            report.certificateRows += 1
            let facts = AuditChain.RowFacts(row: row)
            let seq: Int64? = row["auditSeq"]
            let der: Data = row["der"]
            if AuditChain.sha256Hex(der) != facts.sha256.lowercased() {
                problem(.init(kind: .certificateRow, seq: seq, row: facts.key, reason: "its DER does not match its SHA-256 (edited certificate bytes)"))
            }
            // A status is "issued" unless a revocation (bound to its own entry) says "revoked".
            let status = row["status"] as String? ?? ""
            let revoked = (row["revokedSerial"] as String?) != nil
            if status != (revoked ? "revoked" : "issued") {
                problem(.init(kind: .certificateRow, seq: seq, row: facts.key,
                              reason: "its status \"\(status)\" is not what the audit chain recorded (\(revoked ? "revoked" : "issued")): edited status"))
            }
            let h = facts.hash
            if h != (row["rowHash"] as String?) {
                problem(.init(kind: .certificateRow, seq: seq, row: facts.key, reason: "its fields do not match the hash recorded when it was written (edited row)"))
            }
            guard let seq, expected[seq] != nil else {
                problem(.init(kind: .certificateRow, seq: seq, row: facts.key, reason: "no audit entry recorded this certificate (inserted row)"))
                continue
            }
            if current?.seq != seq { close(); current = (seq, AuditChain.Digest()) }
            current!.digest.add(h)
        }
        close()
        if rowProblems > 20 {
            report.problems.append(.init(kind: .certificateRow, seq: nil, row: nil, reason: "… and \(rowProblems - 20) more certificate rows like these"))
        }
        for (seq, e) in expected.sorted(by: { $0.key < $1.key }) {
            let d = seen[seq]
            if d?.count ?? 0 != e.rows {
                report.problems.append(.init(kind: .certificateRow, seq: seq, row: nil,
                    reason: "the entry recorded \(e.rows) certificate row(s), the ledger holds \(d?.count ?? 0) (deleted or inserted rows)"))
            } else if (d ?? AuditChain.Digest()).finalize() != e.rowsDigest {
                report.problems.append(.init(kind: .certificateRow, seq: seq, row: nil, reason: "its certificate rows are not the ones it recorded (edited rows)"))
            }
        }
    }

}

extension SQLiteAudit {
    /// Every revocation row: its own fields, and the entry that recorded it.
    static func verifyRevocations(_ db: Database, expected: [Int64: (rows: Int, rowsDigest: String)], into report: inout AuditReport) throws {
        var seen: [Int64: AuditChain.Digest] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM revocations ORDER BY auditSeq, issuerSKID, serial")
        while let row = try rows.next() {
            let key = "\(row["issuerSKID"] as String)/\(row["serial"] as String)"
            let seq: Int64 = row["auditSeq"]
            let h = AuditChain.revocationHash(issuerSKID: row["issuerSKID"], serial: row["serial"], reason: row["reason"], revokedAt: row["revokedAt"], actor: row["actor"])
            if h != (row["rowHash"] as String) {
                report.problems.append(.init(kind: .certificateRow, seq: seq, row: key, reason: "its revocation does not match the hash recorded when it was written (edited revocation)"))
            }
            guard expected[seq] != nil else {
                report.problems.append(.init(kind: .certificateRow, seq: seq, row: key, reason: "no audit entry recorded this revocation (inserted revocation)"))
                continue
            }
            seen[seq, default: AuditChain.Digest()].add(h)
        }
        for (seq, e) in expected.sorted(by: { $0.key < $1.key }) {
            let d = seen[seq] ?? AuditChain.Digest()
            if d.count != e.rows || d.finalize() != e.rowsDigest {
                report.problems.append(.init(kind: .certificateRow, seq: seq, row: nil,
                    reason: "the entry recorded \(e.rows) revocation(s), the ledger holds \(d.count) matching ones (deleted, inserted or edited revocations)"))
            }
        }
    }
}

extension AuditChain {
    static func sha256Hex(_ d: Data) -> String { Canonical.hex(SHA256.hash(data: d)) }
}

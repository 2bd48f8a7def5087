import Crypto
import Foundation

/// `audit verify`, once for every engine: the chain, every certificate and revocation row it binds, and the signed
/// checkpoints, walked from row sequences that an engine streams (`each(sql, body)` calls `body` per row, in order,
/// until it returns false). The SQL is the same text on both engines (quoted identifiers; PostgreSQL's text columns
/// sort bytewise like SQLite's); both engines therefore produce identical reports.
enum AuditVerification {
    static let entriesSQL = #"SELECT * FROM audit_log ORDER BY seq"#
    static let certificatesSQL = #"""
        SELECT c."issuerSKID", c.serial, c.type, c.subject, c.skid, c.vid, c.pid, c."notBefore", c."notAfter", c.der, c.sha256, c."batchID",
               c."batchItem", c."createdAt", c."auditSeq", c."rowHash", c.status, r.serial AS "revokedSerial"
        FROM certificates c LEFT JOIN revocations r ON r."issuerSKID" = c."issuerSKID" AND r.serial = c.serial
        ORDER BY c."auditSeq" NULLS FIRST, c."issuerSKID", c.serial
        """#
    static let revocationsSQL = #"SELECT * FROM revocations ORDER BY "auditSeq", "issuerSKID", serial"#
    static let checkpointsSQL = #"SELECT * FROM audit_checkpoints ORDER BY seq"#

    typealias Expected = [Int64: (rows: Int, rowsDigest: String)]

    static func verify<Row: LedgerRow>(checkpointKey: P256.Signing.PublicKey?,
                                       each: (_ sql: String, _ body: (Row) throws -> Bool) throws -> Void) throws -> AuditReport {
        var report = AuditReport(entries: 0, certificateRows: 0, checkpoints: 0, lastCheckpointSeq: nil,
                                 checkpointSignaturesChecked: checkpointKey != nil, problems: [])
        // 1. The chain itself, and what each entry says it bound.
        var expected: Expected = [:], expectedRevocations: Expected = [:]
        var hashes: [Int64: String] = [:]
        var prev = AuditChain.genesis, expectedSeq: Int64 = 1
        var broken = false
        try each(entriesSQL) { row in
            let e = AuditEntry(row: row)
            report.entries += 1
            func fail(_ seq: Int64, _ reason: String) -> Bool {
                report.problems.append(.init(kind: .chain, seq: seq, row: nil, reason: reason)); broken = true; return false
            }
            if e.seq != expectedSeq { return fail(expectedSeq, "entries \(expectedSeq)…\(e.seq - 1) are missing") }
            if e.prevHash != prev { return fail(e.seq, "prevHash does not match the hash of entry \(e.seq - 1)") }
            if AuditChain.sha256(e.payload) != e.payloadSHA256 { return fail(e.seq, "payload does not match its SHA-256") }
            let h = AuditChain.hash(format: e.format, prev: prev, seq: e.seq, at: e.at, actor: e.actor, action: e.action, payloadSHA256: e.payloadSHA256)
            if h != e.hash { return fail(e.seq, "hash does not match the entry's fields") }
            if let p = try? JSONSerialization.jsonObject(with: Data(e.payload.utf8)) as? [String: String] {
                if let rc = p[AuditChain.rowsCount].flatMap(Int.init), let rd = p[AuditChain.rowsDigest] { expected[e.seq] = (rc, rd) }
                if let rc = p[AuditChain.revocationsCount].flatMap(Int.init), let rd = p[AuditChain.revocationsDigest] {
                    expectedRevocations[e.seq] = (rc, rd)
                }
            }
            hashes[e.seq] = e.hash
            prev = e.hash
            expectedSeq += 1
            return true
        }
        if broken { return report }
        let lastSeq = expectedSeq - 1
        // 2. Every certificate row: its own facts, and the entry that recorded it.
        try verifyRows(expected: expected, into: &report, each: each)
        try verifyRevocations(expected: expectedRevocations, into: &report, each: each)
        // 3. Signed checkpoints: each one names an entry that must still exist with the hash it signed.
        try each(checkpointsSQL) { row in
            let c = AuditCheckpoint(row: row)
            report.checkpoints += 1
            report.lastCheckpointSeq = c.seq
            if let key = checkpointKey {
                let ok = (try? P256.Signing.ECDSASignature(derRepresentation: c.signature)).map {
                    key.isValidSignature($0, for: AuditCheckpoint.message(seq: c.seq, hash: c.hash, at: c.at))
                } ?? false
                if !ok {
                    report.problems.append(.init(kind: .checkpoint, seq: c.seq, row: nil,
                        reason: "the signature of the checkpoint of \(c.at) does not verify with the token's checkpoint key"))
                    return true
                }
            }
            if c.seq > lastSeq {
                report.problems.append(.init(kind: .checkpoint, seq: c.seq, row: nil,
                    reason: "the checkpoint of \(c.at) signed entry \(c.seq), but the log ends at entry \(lastSeq): entries \(lastSeq + 1)…\(c.seq) were deleted"))
            } else if hashes[c.seq] != c.hash {
                report.problems.append(.init(kind: .checkpoint, seq: c.seq, row: nil,
                    reason: "entry \(c.seq) is not the entry the checkpoint of \(c.at) signed: the chain was rewritten"))
            }
            return true
        }
        return report
    }

    static func verifyRows<Row: LedgerRow>(expected: Expected, into report: inout AuditReport,
                                           each: (_ sql: String, _ body: (Row) throws -> Bool) throws -> Void) throws {
        var seen: [Int64: AuditChain.Digest] = [:]
        var current: (seq: Int64, digest: AuditChain.Digest)?
        // Each broken row is named, up to a screenful; the rest are counted.
        var rowProblems = 0
        var problems: [AuditReport.Problem] = []
        func problem(_ p: AuditReport.Problem) {
            rowProblems += 1
            if rowProblems <= 20 { problems.append(p) }
        }
        func close() {
            if let c = current { seen[c.seq] = c.digest }
        }
        var count = 0
        try each(certificatesSQL) { row in
            count += 1
            let facts = AuditChain.RowFacts(row: row)
            let seq = row.optionalInt64("auditSeq")
            if AuditChain.sha256Hex(row.blob("der")) != facts.sha256.lowercased() {
                problem(.init(kind: .certificateRow, seq: seq, row: facts.key, reason: "its DER does not match its SHA-256 (edited certificate bytes)"))
            }
            // A status is "issued" unless a revocation (bound to its own entry) says "revoked".
            let status = row.text("status")
            let revoked = row.optionalText("revokedSerial") != nil
            if status != (revoked ? "revoked" : "issued") {
                problem(.init(kind: .certificateRow, seq: seq, row: facts.key,
                              reason: "its status \"\(status)\" is not what the audit chain recorded (\(revoked ? "revoked" : "issued")): edited status"))
            }
            let h = facts.hash
            if h != row.optionalText("rowHash") {
                problem(.init(kind: .certificateRow, seq: seq, row: facts.key, reason: "its fields do not match the hash recorded when it was written (edited row)"))
            }
            guard let seq, expected[seq] != nil else {
                problem(.init(kind: .certificateRow, seq: seq, row: facts.key, reason: "no audit entry recorded this certificate (inserted row)"))
                return true
            }
            if current?.seq != seq { close(); current = (seq, AuditChain.Digest()) }
            current!.digest.add(h)
            return true
        }
        close()
        report.certificateRows += count
        report.problems += problems
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

    /// Every revocation row: its own fields, and the entry that recorded it.
    static func verifyRevocations<Row: LedgerRow>(expected: Expected, into report: inout AuditReport,
                                                  each: (_ sql: String, _ body: (Row) throws -> Bool) throws -> Void) throws {
        var seen: [Int64: AuditChain.Digest] = [:]
        var problems: [AuditReport.Problem] = []
        try each(revocationsSQL) { row in
            let key = "\(row.text("issuerSKID"))/\(row.text("serial"))"
            let seq = row.int64("auditSeq")
            let h = AuditChain.revocationHash(issuerSKID: row.text("issuerSKID"), serial: row.text("serial"), reason: row.text("reason"),
                                              revokedAt: row.text("revokedAt"), actor: row.text("actor"))
            if h != row.text("rowHash") {
                problems.append(.init(kind: .certificateRow, seq: seq, row: key, reason: "its revocation does not match the hash recorded when it was written (edited revocation)"))
            }
            guard expected[seq] != nil else {
                problems.append(.init(kind: .certificateRow, seq: seq, row: key, reason: "no audit entry recorded this revocation (inserted revocation)"))
                return true
            }
            seen[seq, default: AuditChain.Digest()].add(h)
            return true
        }
        report.problems += problems
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

    static func revocationHash(issuerSKID: String, serial: String, reason: String, revokedAt: String, actor: String) -> String {
        Canonical.sha256(["revocation v1", issuerSKID, serial, reason, revokedAt, actor])
    }
}

import Crypto
import Foundation
import GRDB

/// The hash chain: hash(n) = SHA-256(hash(n−1) | seq | at | actor | action | SHA-256(payload)).
public enum AuditLog {
    public static let genesis = String(repeating: "0", count: 64)

    static func hex(_ d: some Sequence<UInt8>) -> String { d.map { String(format: "%02x", $0) }.joined() }
    static func sha256(_ s: String) -> String { hex(SHA256.hash(data: Data(s.utf8))) }

    static func chainHash(prev: String, seq: Int64, at: String, actor: String, action: String, payloadSHA256: String) -> String {
        sha256([prev, String(seq), at, actor, action, payloadSHA256].joined(separator: "|"))
    }

    static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Appends inside the caller's write transaction, so the entry commits with what it records.
    static func append(_ db: Database, actor: String, action: String, payload: [String: String]) throws {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (last?["seq"] as Int64? ?? 0) + 1
        let prev: String = last?["hash"] ?? genesis
        let body = String(decoding: try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]), as: UTF8.self)
        let at = timestamp.format(Date())
        let digest = sha256(body)
        try AuditEntry(seq: seq, at: at, actor: actor, action: action, payload: body, payloadSHA256: digest, prevHash: prev,
                       hash: chainHash(prev: prev, seq: seq, at: at, actor: actor, action: action, payloadSHA256: digest)).insert(db)
    }

    public enum Verification: Equatable, Sendable {
        case intact(entries: Int)
        case broken(seq: Int64, reason: String)
    }

    static func verify(_ db: Database) throws -> Verification {
        var prev = genesis
        var expectedSeq: Int64 = 1
        var n = 0
        for e in try AuditEntry.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY seq") {
            guard e.seq == expectedSeq else { return .broken(seq: expectedSeq, reason: "entry \(expectedSeq) is missing") }
            guard e.prevHash == prev else { return .broken(seq: e.seq, reason: "prevHash does not match the hash of entry \(e.seq - 1)") }
            guard sha256(e.payload) == e.payloadSHA256 else { return .broken(seq: e.seq, reason: "payload does not match its SHA-256") }
            let h = chainHash(prev: prev, seq: e.seq, at: e.at, actor: e.actor, action: e.action, payloadSHA256: e.payloadSHA256)
            guard h == e.hash else { return .broken(seq: e.seq, reason: "hash does not match the entry's fields") }
            prev = e.hash
            expectedSeq += 1
            n += 1
        }
        return .intact(entries: n)
    }
}

import Foundation

/// One stored value, engine-neutral: what `exportRows` hands out and `importRows` writes back verbatim.
public enum LedgerValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case text(String)
    case blob(Data)

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let i): return String(i)
        case .text(let s): return "'\(s)'"
        case .blob(let d): return "x'" + Canonical.hex(d) + "'"
        }
    }
}

/// A row as either engine returns it, read by column name with typed getters: the records are decoded once, from
/// GRDB's `Row` (SQLite) and from `PostgresLedgerRow` alike. Times stay in their stored text form here (the audit
/// chain hashes that text); `date` parses it.
protocol LedgerRow {
    func optionalText(_ column: String) -> String?
    func optionalInt64(_ column: String) -> Int64?
    func optionalBlob(_ column: String) -> Data?
}

extension LedgerRow {
    func text(_ column: String) -> String { optionalText(column) ?? "" }
    func int64(_ column: String) -> Int64 { optionalInt64(column) ?? 0 }
    func int(_ column: String) -> Int { Int(int64(column)) }
    func optionalInt(_ column: String) -> Int? { optionalInt64(column).map { Int($0) } }
    func blob(_ column: String) -> Data { optionalBlob(column) ?? Data() }
    func date(_ column: String) -> Date { optionalText(column).flatMap(LedgerTime.parse) ?? Date(timeIntervalSince1970: 0) }
    func optionalDate(_ column: String) -> Date? { optionalText(column).flatMap(LedgerTime.parse) }
}

// MARK: records, decoded once for both engines

extension AuthorityRecord {
    init(row: some LedgerRow) {
        self.init(skid: row.text("skid"), type: row.text("type"), name: row.text("name"), tokenLabel: row.text("tokenLabel"),
                  keyLabel: row.text("keyLabel"), serial: row.text("serial"), parentSKID: row.optionalText("parentSKID"),
                  vid: row.optionalInt("vid"), pid: row.optionalInt("pid"), certificateSHA256: row.text("certificateSHA256"),
                  createdAt: row.date("createdAt"))
    }
}

extension CertificateRecord {
    init(row: some LedgerRow) {
        self.init(issuerSKID: row.text("issuerSKID"), serial: row.text("serial"), type: row.text("type"), subject: row.text("subject"),
                  skid: row.text("skid"), vid: row.optionalInt("vid"), pid: row.optionalInt("pid"), notBefore: row.date("notBefore"),
                  notAfter: row.date("notAfter"), der: row.blob("der"), sha256: row.text("sha256"), status: row.text("status"),
                  batchID: row.optionalText("batchID"), batchItem: row.optionalInt("batchItem"), createdAt: row.date("createdAt"))
    }
}

extension CeremonyRecord {
    init(row: some LedgerRow) {
        self.init(id: row.text("id"), kind: row.text("kind"), actor: row.text("actor"), status: row.text("status"),
                  startedAt: row.date("startedAt"), completedAt: row.optionalDate("completedAt"), keySKID: row.optionalText("keySKID"),
                  certificateSHA256: row.optionalText("certificateSHA256"), detail: row.optionalText("detail"))
    }
}

extension VendorRecord {
    init(row: some LedgerRow) {
        self.init(vid: row.int("vid"), name: row.text("name"), contact: row.optionalText("contact"), source: row.text("source"),
                  definitionSHA256: row.text("definitionSHA256"), updatedAt: row.date("updatedAt"))
    }
}

extension BatchRecord {
    init(row: some LedgerRow) {
        self.init(id: row.text("id"), idempotencyKey: row.text("idempotencyKey"), vid: row.int("vid"), pid: row.int("pid"),
                  paiSKID: row.text("paiSKID"), kind: row.text("kind"), count: row.int("count"), requestSHA256: row.text("requestSHA256"),
                  status: row.text("status"), createdAt: row.date("createdAt"), completedAt: row.optionalDate("completedAt"),
                  outputPath: row.optionalText("outputPath"))
        leaseOwner = row.optionalText("leaseOwner")
        leaseUntil = row.optionalDate("leaseUntil")
    }
}

extension RevocationRecord {
    init(row: some LedgerRow) {
        self.init(issuerSKID: row.text("issuerSKID"), serial: row.text("serial"), reason: row.text("reason"), revokedAt: row.date("revokedAt"),
                  actor: row.text("actor"))
    }
}

extension CredentialRecord {
    init(row: some LedgerRow) {
        self.init(id: row.text("id"), kind: Kind(rawValue: row.text("kind")) ?? .token, role: Role(rawValue: row.text("role")) ?? .vendor,
                  vid: row.optionalInt("vid"), label: row.text("label"), secretSHA256: row.text("secretSHA256"), createdAt: row.date("createdAt"),
                  revokedAt: row.optionalDate("revokedAt"))
    }
}

extension CRLRecord {
    init(row: some LedgerRow) {
        self.init(publication: row.text("publication"), caSKID: row.text("caSKID"), signerSKID: row.text("signerSKID"),
                  partition: row.optionalInt("partition"), number: row.int64("number"), thisUpdate: row.date("thisUpdate"),
                  nextUpdate: row.date("nextUpdate"), entries: row.int("entries"), size: row.int("size"), sha256: row.text("sha256"),
                  url: row.text("url"), file: row.text("file"))
    }
}

extension AuditCheckpoint {
    init(row: some LedgerRow) {
        self.init(seq: row.int64("seq"), hash: row.text("hash"), at: row.text("at"), keyID: row.text("keyID"), signature: row.blob("signature"))
    }
}

extension AuditLogEntry {
    init(row: some LedgerRow) {
        self.init(seq: row.int64("seq"), at: row.date("at"), actor: row.text("actor"), action: row.text("action"), payload: row.text("payload"),
                  hash: row.text("hash"))
    }
}

extension AuditEntry {
    init(row: some LedgerRow) {
        self.init(seq: row.int64("seq"), at: row.text("at"), actor: row.text("actor"), action: row.text("action"), payload: row.text("payload"),
                  payloadSHA256: row.text("payloadSHA256"), prevHash: row.text("prevHash"), hash: row.text("hash"),
                  format: row.optionalInt("format") ?? 1)
    }
}

extension AuditChain.RowFacts {
    /// The facts of a stored row, times in their stored text form (what the row hash covers).
    init(row: some LedgerRow) {
        self.init(issuerSKID: row.text("issuerSKID"), serial: row.text("serial"), type: row.text("type"), subject: row.text("subject"),
                  skid: row.text("skid"), vid: row.optionalInt("vid"), pid: row.optionalInt("pid"), notBefore: row.text("notBefore"),
                  notAfter: row.text("notAfter"), createdAt: row.text("createdAt"), sha256: row.text("sha256"),
                  batchID: row.optionalText("batchID"), batchItem: row.optionalInt("batchItem"))
    }
}

extension CertificateRecord {
    static let insertColumns = ["issuerSKID", "serial", "type", "subject", "skid", "vid", "pid", "notBefore", "notAfter", "der", "sha256", "status",
                                "batchID", "batchItem", "createdAt", "auditSeq", "rowHash"]

    /// The row's values in `insertColumns` order, bound to audit entry `seq`; and its row hash.
    func insertValues(auditSeq seq: Int64) -> (values: [LedgerValue], rowHash: String) {
        let f = facts
        let h = f.hash
        return ([.text(issuerSKID), .text(serial), .text(type), .text(subject), .text(skid), .optional(vid), .optional(pid), .text(f.notBefore),
                 .text(f.notAfter), .blob(der), .text(sha256), .text(status), .optional(batchID), .optional(batchItem), .text(f.createdAt),
                 .integer(seq), .text(h)], h)
    }
}

extension LedgerValue {
    static func optional(_ i: Int?) -> LedgerValue { i.map { .integer(Int64($0)) } ?? .null }
    static func optional(_ s: String?) -> LedgerValue { s.map { .text($0) } ?? .null }
    static func time(_ d: Date) -> LedgerValue { .text(LedgerTime.storage(d)) }
    static func optionalTime(_ d: Date?) -> LedgerValue { d.map { .text(LedgerTime.storage($0)) } ?? .null }
}

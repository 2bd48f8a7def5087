import Crypto
import Foundation

/// The authority's memory, behind a protocol so that front ends and workflows never see a database engine.
/// Every write records its facts and the audit entry that describes them in one transaction, before anything
/// leaves the authority. SQLite (`SQLiteLedger`) is the embedded default; another engine implements the same
/// protocol and passes the same conformance tests.
public protocol Ledger: Sendable {
    /// "sqlite", "postgres", …
    var engine: String { get }
    /// Where it lives (a path or a URL without secrets), for messages and `doctor`.
    var location: String { get }

    // MARK: authorities and certificates
    func authorities(type: String?) throws -> [AuthorityRecord]
    func authority(skid: String) throws -> AuthorityRecord?
    func certificates(type: String?) throws -> [CertificateRecord]
    /// By serial (any issuer) or SKID.
    func certificates(matching key: String) throws -> [CertificateRecord]
    /// DACs, optionally of one vendor and one batch.
    func dacs(vid: Int?, batchID: String?) throws -> [CertificateRecord]
    /// Certificates in the order they were recorded, streamed (constant memory at any ledger size): those of `filter`
    /// after the position `after` (a cursor handed out with an earlier row), at most `limit`.
    func forEachCertificate(_ filter: CertificateFilter, after: Int64?, limit: Int?, _ body: (_ cursor: Int64, CertificateRecord) throws -> Void) throws
    /// Single certificates (not of a batch), grouped by who asked: one audit entry per group, all in one transaction
    /// (a server commits the certificates of concurrent requests together: one fsync, not one each).
    func recordCertificates(_ groups: [CertificateGroup]) throws

    /// Revokes certificates of the ledger (identified by issuer and serial) in one transaction with one audit
    /// entry; certificates revoked already are counted, not changed. `notFound` when one of them is not in the ledger.
    func revoke(_ certificates: [(issuerSKID: String, serial: String)], reason: String, actor: String, payload: [String: String]) throws -> RevocationOutcome
    /// The revocations of one issuer, in serial order, without loading them all at once.
    func forEachRevocation(issuerSKID: String, _ body: (RevocationRecord) throws -> Void) throws
    func revocation(issuerSKID: String, serial: String) throws -> RevocationRecord?
    /// Serials of the certificates a CA issued (revoking a PAI revokes its DACs with it).
    func serials(issuedBy issuerSKID: String) throws -> [String]

    // MARK: CRLs
    /// The highest cRLNumber a signer used, if any.
    func lastCRLNumber(signerSKID: String) throws -> Int64?
    /// Records the CRLs of one publication (each with its audit entry) before their files are written.
    func recordCRLs(_ crls: [CRLRecord], actor: String) throws
    /// The CRLs of the latest publication per CA.
    func currentCRLs() throws -> [CRLRecord]

    // MARK: ceremonies
    func beginCeremony(kind: String, actor: String, detail: [String: String]) throws -> CeremonyRecord
    /// The certificate, its authority and the ceremony's completion, with one audit entry: all or nothing.
    func completeCeremony(_ ceremony: CeremonyRecord, certificate: CertificateRecord, authority: AuthorityRecord, payload: [String: String]) throws
    func failCeremony(_ ceremony: CeremonyRecord, reason: String) throws
    /// A ceremony run as a whole (`ceremony run`): nothing of it is recorded until every step is done; then the
    /// ceremony, each step's certificate and authority (an audit entry each) and the transcript's anchor (an entry
    /// `ceremony.transcript` with its SHA-256), in one transaction.
    func recordCeremony(_ ceremony: CeremonyRecord, steps: [CeremonyStepFacts], transcriptSHA256: String) throws
    func ceremonies() throws -> [CeremonyRecord]

    // MARK: vendors
    func importVendors(_ definitions: [VendorDefinition], actor: String, source: String) throws -> [Int: VendorImportChange]
    func vendor(vid: Int) throws -> VendorDefinition?
    func vendors() throws -> [VendorDefinition]

    // MARK: batches
    func batch(idempotencyKey: String) throws -> BatchRecord?
    func batch(id: String) throws -> BatchRecord?
    /// Claims the idempotency key atomically: `idempotencyKeyTaken` when another request holds it already.
    func createBatch(_ batch: BatchRecord, actor: String) throws
    /// Takes (or renews) the batch's lease for `owner` until `until`; `batchLeased` while another live owner holds it.
    func claimBatch(id: String, owner: String, until: Date, ownerIsGone: (String) -> Bool) throws
    /// One chunk of a batch, every certificate and one audit entry in one transaction.
    func commitChunk(_ certificates: [CertificateRecord], batchID: String, actor: String) throws
    func completeBatch(_ id: String, actor: String) throws
    /// The batch's certificates in item order, one row at a time: the batch index gives the order, so nothing is
    /// sorted (by rowid, a 100,000-DAC batch's rows and their DER went through a temporary B-tree).
    func forEachBatchCertificate(_ batchID: String, _ body: (CertificateRecord) throws -> Void) throws
    func batchItemsIssued(_ batchID: String) throws -> Set<Int>
    /// Every batch, for `doctor` (leftover staging folders).
    func batches() throws -> [BatchRecord]
    /// Batches not completed whose lease is absent or ended by `now`, oldest first: what a server instance polls to
    /// resume a job another instance abandoned (it still claims each one with `claimBatch`).
    func claimableBatches(now: Date) throws -> [BatchRecord]

    // MARK: credentials (network front ends)
    /// Records a new credential with its audit entry.
    func addCredential(_ credential: CredentialRecord, actor: String) throws
    /// The credential whose secret hashes to `secretSHA256`, revoked or not.
    func credential(secretSHA256: String) throws -> CredentialRecord?
    func credentials() throws -> [CredentialRecord]
    /// Revokes by id; false when it was revoked already (nothing written). `notFound` for an unknown id.
    func revokeCredential(id: String, actor: String) throws -> Bool

    // MARK: audit
    func audit(actor: String, action: String, payload: [String: String]) throws
    func auditHead() throws -> AuditHead
    /// The newest audit seq (nil for an empty log) and whether an entry after `seq` records something other than DAC
    /// issuance, or the log no longer reaches `seq` (`seq` nil: true). Every change to what authorization
    /// reads (vendors, CAs, revocations, credentials) is an audited write of another action, and entries are numbered
    /// in commit order on both engines, so this is what `LedgerFactsCache` checks before it answers.
    func auditEntries(after seq: Int64?) throws -> (head: Int64?, beyondIssuance: Bool)
    /// Entries in order, optionally only those of one action, at most `limit` of the newest.
    func auditEntries(action: String?, limit: Int) throws -> [AuditLogEntry]
    /// Walks the chain, every certificate row it binds, and the signed checkpoints (verified with `checkpointKey`
    /// when given).
    func verifyAudit(checkpointKey: P256.Signing.PublicKey?) throws -> AuditReport
    func addCheckpoint(_ checkpoint: AuditCheckpoint) throws
    func lastCheckpoint() throws -> AuditCheckpoint?

    /// Row counts per table, to show that a refusal changed nothing.
    func counts() throws -> [String: Int]

    // MARK: operations
    /// A cheap round trip to the database, for health checks: `unavailable` when it cannot be reached.
    func ping() throws
    /// Every row of every table, tables in dependency order, every column verbatim (times in their stored text,
    /// audit and row hashes as stored), streamed in constant memory: what `ledger migrate` copies.
    func exportRows(_ body: (_ table: String, _ row: [String: LedgerValue]) throws -> Void) throws
    /// Copies every row of `source` verbatim into this ledger, in one transaction; `notEmpty` (and nothing written)
    /// unless this ledger holds no row at all. Afterwards `verifyAudit()` holds here exactly when it holds on `source`.
    func importRows(from source: any Ledger) throws
}

extension Ledger {
    public func authorities() throws -> [AuthorityRecord] { try authorities(type: nil) }
    public func certificates() throws -> [CertificateRecord] { try certificates(type: nil) }
    public func verifyAudit() throws -> AuditReport { try verifyAudit(checkpointKey: nil) }

    /// `ping()`, timed: "round trip 0.4 ms", for `/healthz` and `doctor`.
    public func roundTrip() throws -> String {
        let started = ContinuousClock.now
        try ping()
        return String(format: "round trip %.1f ms", (ContinuousClock.now - started) / .milliseconds(1))
    }
}

/// Typed, per constraint, so callers react to the one that fired (a serial collision is retried with a fresh
/// serial; a batch item already issued is not).
public enum LedgerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// (issuer, serial) is taken: the certificate never left; sign again with a new serial.
    case serialCollision
    /// The batch item already has a certificate (another process committed it).
    case batchItemClash(batchID: String)
    case idempotencyKeyTaken(String)
    /// A signer's cRLNumber is taken (another publisher recorded it first): build the CRLs again with fresh numbers.
    case crlNumberTaken
    case batchLeased(batchID: String, owner: String, until: Date)
    case constraint(String)
    case notFound(String)
    /// The database could not be opened or read.
    case unavailable(String)
    /// An import into a ledger that already holds rows (it copies into an empty ledger only).
    case notEmpty(String)

    public var description: String {
        switch self {
        case .serialCollision: return "serial number already used by this issuer"
        case .batchItemClash(let b): return "an item of batch \(b) already has a certificate (another process issued it)"
        case .idempotencyKeyTaken(let k): return "idempotency key \"\(k)\" is already taken"
        case .crlNumberTaken: return "the cRLNumber was taken by another publisher"
        case .batchLeased(let b, let o, let u):
            return "batch \(b) is being issued by \(o) (lease until \(LedgerTime.iso8601(u))); wait for it, or resume it after the lease ends"
        case .constraint(let m): return "the ledger refused the write: \(m)"
        case .notFound(let w): return "\(w) not found in the ledger"
        case .unavailable(let m): return "ledger unavailable: \(m)"
        case .notEmpty(let m): return "the ledger is not empty: \(m)"
        }
    }
}

/// Certificates recorded by one audit entry.
public struct CertificateGroup: Sendable {
    public var certificates: [CertificateRecord]
    public var actor: String
    public var action: String
    public var payload: [String: String]
    public init(certificates: [CertificateRecord], actor: String, action: String, payload: [String: String]) {
        self.certificates = certificates; self.actor = actor; self.action = action; self.payload = payload
    }
}

public enum VendorImportChange: String, Equatable, Sendable, Codable { case added, updated, unchanged }

/// Which certificates a listing wants.
public struct CertificateFilter: Sendable {
    public var type: String?
    public var vid: Int?
    public var batchID: String?
    public init(type: String? = nil, vid: Int? = nil, batchID: String? = nil) { self.type = type; self.vid = vid; self.batchID = batchID }
}

/// One audit entry as the log holds it (the payload as its canonical text).
/// One step of a ceremony run: what it made and what its audit entry says.
public struct CeremonyStepFacts: Sendable {
    public var action: String
    public var certificate: CertificateRecord
    public var authority: AuthorityRecord
    public var payload: [String: String]
    public init(action: String, certificate: CertificateRecord, authority: AuthorityRecord, payload: [String: String]) {
        self.action = action; self.certificate = certificate; self.authority = authority; self.payload = payload
    }
}

public struct AuditLogEntry: Equatable, Sendable, Codable {
    public let seq: Int64
    public let at: Date
    public let actor: String
    public let action: String
    public let payload: String
    public let hash: String
}

public struct AuditHead: Equatable, Sendable {
    public let seq: Int64
    public let hash: String
    public init(seq: Int64, hash: String) { self.seq = seq; self.hash = hash }
}

/// A signature by the token's checkpoint key over (seq, hash, at): a truncated tail or a rewritten chain no longer
/// matches it.
public struct AuditCheckpoint: Equatable, Sendable, Codable {
    public let seq: Int64
    public let hash: String
    public let at: String
    public let keyID: String
    public let signature: Data
    public init(seq: Int64, hash: String, at: String, keyID: String, signature: Data) {
        self.seq = seq; self.hash = hash; self.at = at; self.keyID = keyID; self.signature = signature
    }

    /// What the checkpoint key signs: a canonical, length-prefixed encoding.
    public static func message(seq: Int64, hash: String, at: String) -> [UInt8] {
        Canonical.encode(["matter-ca audit checkpoint v1", String(seq), hash, at])
    }
}

/// What `audit verify` checked and, when it breaks, where.
public struct AuditReport: Equatable, Sendable, Codable {
    public struct Problem: Equatable, Sendable, Codable, CustomStringConvertible {
        public enum Kind: String, Codable, Sendable { case chain, certificateRow, checkpoint }
        public let kind: Kind
        /// The audit entry concerned, when there is one.
        public let seq: Int64?
        /// The certificate row concerned ("issuerSKID/serial"), when there is one.
        public let row: String?
        public let reason: String
        public var description: String {
            var where_ = kind == .checkpoint ? "checkpoint" : "entry"
            if let seq { where_ += " \(seq)" }
            if let row { where_ = "certificate \(row)" + (seq.map { " (entry \($0))" } ?? "") }
            return "\(where_): \(reason)"
        }
    }
    public var entries: Int
    public var certificateRows: Int
    public var checkpoints: Int
    /// The audit entry the last checkpoint signed, if any.
    public var lastCheckpointSeq: Int64?
    /// Whether checkpoint signatures were verified (a key was given).
    public var checkpointSignaturesChecked: Bool
    public var problems: [Problem]
    public var intact: Bool { problems.isEmpty }
}

extension Ledger {
    /// The batch's certificates in item order, all at once.
    public func batchCertificates(_ batchID: String) throws -> [CertificateRecord] {
        var out: [CertificateRecord] = []
        try forEachBatchCertificate(batchID) { out.append($0) }
        return out
    }
}

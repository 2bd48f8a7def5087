import Foundation

/// A CA of this authority: a PAA or a PAI, with the token key that signs for it.
public struct AuthorityRecord: Codable, Sendable {
    public var skid: String            // uppercase hex, also the key's CKA_ID
    public var type: String            // "paa" | "pai"
    public var name: String
    public var tokenLabel: String
    public var keyLabel: String
    public var serial: String
    public var parentSKID: String?
    public var vid: Int?
    public var pid: Int?
    public var certificateSHA256: String
    public var createdAt: Date

    public init(skid: String, type: String, name: String, tokenLabel: String, keyLabel: String, serial: String, parentSKID: String?,
                vid: Int?, pid: Int?, certificateSHA256: String, createdAt: Date) {
        self.skid = skid; self.type = type; self.name = name; self.tokenLabel = tokenLabel; self.keyLabel = keyLabel
        self.serial = serial; self.parentSKID = parentSKID; self.vid = vid; self.pid = pid
        self.certificateSHA256 = certificateSHA256; self.createdAt = createdAt
    }
}

/// Every certificate that left (or will leave) the authority, committed before it is written out or returned.
public struct CertificateRecord: Codable, Sendable {
    public var issuerSKID: String
    public var serial: String
    public var type: String
    public var subject: String
    public var skid: String
    public var vid: Int?
    public var pid: Int?
    public var notBefore: Date
    public var notAfter: Date
    public var der: Data
    public var sha256: String
    public var status: String
    public var batchID: String?
    public var batchItem: Int?
    public var createdAt: Date

    public init(issuerSKID: String, serial: String, type: String, subject: String, skid: String, vid: Int?, pid: Int?, notBefore: Date,
                notAfter: Date, der: Data, sha256: String, status: String = "issued", batchID: String? = nil, batchItem: Int? = nil,
                createdAt: Date) {
        self.issuerSKID = issuerSKID; self.serial = serial; self.type = type; self.subject = subject; self.skid = skid
        self.vid = vid; self.pid = pid; self.notBefore = notBefore; self.notAfter = notAfter; self.der = der; self.sha256 = sha256
        self.status = status; self.batchID = batchID; self.batchItem = batchItem; self.createdAt = createdAt
    }
}

/// A key ceremony: started before the key is generated, completed with the certificate in the same transaction.
public struct CeremonyRecord: Codable, Sendable {
    public var id: String
    public var kind: String            // "paa.create" | "pai.issue"
    public var actor: String
    public var status: String          // "started" | "completed" | "failed"
    public var startedAt: Date
    public var completedAt: Date?
    public var keySKID: String?
    public var certificateSHA256: String?
    public var detail: String?
    public init(id: String, kind: String, actor: String, status: String, startedAt: Date, completedAt: Date?, keySKID: String?,
                certificateSHA256: String?, detail: String?) {
        self.id = id; self.kind = kind; self.actor = actor; self.status = status; self.startedAt = startedAt
        self.completedAt = completedAt; self.keySKID = keySKID; self.certificateSHA256 = certificateSHA256; self.detail = detail
    }
}

/// One entry of the append-only audit log; `hash` chains it to the entry before.
struct AuditEntry: Sendable {
    var seq: Int64
    var at: String
    var actor: String
    var action: String
    var payload: String
    var payloadSHA256: String
    var prevHash: String
    var hash: String
    /// 1: the first format (fields joined with "|"); 2: canonical, length-prefixed.
    var format: Int
}

/// A vendor of the VendorRegistry, as imported: the runtime truth of who may get which VID and PIDs.
public struct VendorRecord: Codable, Sendable, Equatable {
    public var vid: Int
    public var name: String
    public var contact: String?
    public var source: String
    public var definitionSHA256: String
    public var updatedAt: Date
    public init(vid: Int, name: String, contact: String?, source: String, definitionSHA256: String, updatedAt: Date) {
        self.vid = vid; self.name = name; self.contact = contact; self.source = source; self.definitionSHA256 = definitionSHA256; self.updatedAt = updatedAt
    }
}

/// The full definition of one vendor: products as inclusive PID ranges, and the PAIs that serve it.
public struct VendorDefinition: Sendable, Equatable {
    public var vendor: VendorRecord
    public var products: [ClosedRange<Int>]
    public var paiSKIDs: [String]
    public init(vendor: VendorRecord, products: [ClosedRange<Int>], paiSKIDs: [String]) {
        self.vendor = vendor; self.products = products; self.paiSKIDs = paiSKIDs
    }
    public func allows(pid: Int) -> Bool { products.contains { $0.contains(pid) } }
}

/// A DAC batch and its idempotency key.
public struct BatchRecord: Codable, Sendable {
    public var id: String
    public var idempotencyKey: String
    public var vid: Int
    public var pid: Int
    public var paiSKID: String
    public var kind: String          // "csr" | "generated"
    public var count: Int
    public var requestSHA256: String
    public var status: String        // "started" | "completed"
    public var createdAt: Date
    public var completedAt: Date?
    /// Where the batch delivers its files (so that `doctor` can look for leftover staging folders).
    public var outputPath: String?
    /// Who is issuing it now ("host:pid"), and until when.
    public var leaseOwner: String?
    public var leaseUntil: Date?
    public init(id: String, idempotencyKey: String, vid: Int, pid: Int, paiSKID: String, kind: String, count: Int, requestSHA256: String,
                status: String, createdAt: Date, completedAt: Date?, outputPath: String? = nil) {
        self.id = id; self.idempotencyKey = idempotencyKey; self.vid = vid; self.pid = pid; self.paiSKID = paiSKID; self.kind = kind
        self.count = count; self.requestSHA256 = requestSHA256; self.status = status; self.createdAt = createdAt; self.completedAt = completedAt
        self.outputPath = outputPath
    }
}

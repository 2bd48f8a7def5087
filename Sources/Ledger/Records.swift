import Foundation
import GRDB

/// A CA of this authority: a PAA or a PAI, with the token key that signs for it.
public struct AuthorityRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "authorities"
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
public struct CertificateRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "certificates"
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
    public var createdAt: Date

    public init(issuerSKID: String, serial: String, type: String, subject: String, skid: String, vid: Int?, pid: Int?, notBefore: Date,
                notAfter: Date, der: Data, sha256: String, status: String = "issued", batchID: String? = nil, createdAt: Date) {
        self.issuerSKID = issuerSKID; self.serial = serial; self.type = type; self.subject = subject; self.skid = skid
        self.vid = vid; self.pid = pid; self.notBefore = notBefore; self.notAfter = notAfter; self.der = der; self.sha256 = sha256
        self.status = status; self.batchID = batchID; self.createdAt = createdAt
    }
}

/// A key ceremony: started before the key is generated, completed with the certificate in the same transaction.
public struct CeremonyRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "ceremonies"
    public var id: String
    public var kind: String            // "paa.create" | "pai.issue"
    public var actor: String
    public var status: String          // "started" | "completed" | "failed"
    public var startedAt: Date
    public var completedAt: Date?
    public var keySKID: String?
    public var certificateSHA256: String?
    public var detail: String?
}

/// One entry of the append-only audit log; `hash` chains it to the entry before.
public struct AuditEntry: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "audit_log"
    public var seq: Int64
    public var at: String
    public var actor: String
    public var action: String
    public var payload: String
    public var payloadSHA256: String
    public var prevHash: String
    public var hash: String
}

import Foundation

/// One CRL as published: which CA's certificates it lists, who signed it, its number and times, and the digest
/// of the bytes that left the authority (the file itself lives in the home's `crl/` folder).
public struct CRLRecord: Codable, Sendable, Equatable {
    /// All CRLs of one `crl publish` run share it.
    public var publication: String
    public var caSKID: String
    public var signerSKID: String
    /// nil for an unpartitioned CRL.
    public var partition: Int?
    public var number: Int64
    public var thisUpdate: Date
    public var nextUpdate: Date
    public var entries: Int
    public var size: Int
    public var sha256: String
    public var url: String
    public var file: String
    public init(publication: String, caSKID: String, signerSKID: String, partition: Int?, number: Int64, thisUpdate: Date, nextUpdate: Date,
                entries: Int, size: Int, sha256: String, url: String, file: String) {
        self.publication = publication; self.caSKID = caSKID; self.signerSKID = signerSKID; self.partition = partition
        self.number = number; self.thisUpdate = thisUpdate; self.nextUpdate = nextUpdate; self.entries = entries
        self.size = size; self.sha256 = sha256; self.url = url; self.file = file
    }
}

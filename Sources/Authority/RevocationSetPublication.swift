import Crypto
import Foundation
import Ledger
import MatterPKI

/// A published CRL read back from the home, with the certificates a consumer needs to use it.
public struct CurrentCRL: Sendable {
    public let record: CRLRecord
    public let der: [UInt8]
    public let facts: CRLFacts
    /// The CA whose certificates the CRL lists, and the certificate whose key signed it (the same CA unless delegated).
    public let ca: AuthorityRecord
    public let caCertificate: ParsedCertificate
    public let signerCertificate: ParsedCertificate
    /// Set when a delegate signs: the certificate that issued the delegate (the CA itself).
    public let delegator: ParsedCertificate?
}

public enum RevocationPublicationError: Error, CustomStringConvertible {
    case nothingPublished
    case fileChanged(String)
    public var description: String {
        switch self {
        case .nothingPublished: return "no CRL has been published yet: run `matter-ca crl publish` first"
        case .fileChanged(let f): return "\(f) is not the CRL the ledger recorded (its SHA-256 differs): run `matter-ca crl publish` again"
        }
    }
}

extension Inventory {
    /// The latest publication's CRLs, each checked against the digest the ledger recorded for it.
    public func currentCRLs(home: AuthorityHome) throws -> [CurrentCRL] {
        let records = try ledger.currentCRLs()
        guard !records.isEmpty else { throw RevocationPublicationError.nothingPublished }
        // Each CA and signer read once, by SKID, however many CRLs (partitions) name it.
        var known: [String: (AuthorityRecord, ParsedCertificate)] = [:]
        return try records.map { r in
            let url = home.crlDirectory.appendingPathComponent(r.file)
            guard let data = FileManager.default.contents(atPath: url.path),
                  Array(SHA256.hash(data: data)).hexString == r.sha256 else {
                throw RevocationPublicationError.fileChanged(url.path)
            }
            let der = Array(data)
            let facts: CRLFacts
            do { facts = try CRLFacts(der: der, whole: true, keepSerials: true) } catch { throw RevocationPublicationError.fileChanged(url.path) }
            func authority(_ skid: String, _ type: String) throws -> (AuthorityRecord, ParsedCertificate) {
                if let known = known[skid] { return known }
                guard let a = try ledger.authority(skid: skid) else { throw AuthorityError.unknownAuthority(skid, type: type) }
                let found = (a, try certificate(of: a))
                known[skid] = found
                return found
            }
            let (ca, caCert) = try authority(r.caSKID, "CA")
            let (signer, delegator) = r.signerSKID == r.caSKID ? (caCert, nil) : (try authority(r.signerSKID, "CRL signer").1, caCert)
            return CurrentCRL(record: r, der: der, facts: facts, ca: ca, caCertificate: caCert, signerCertificate: signer, delegator: delegator)
        }
    }

    /// `crl revocation-set`: the set the SDK's generator builds from these CRLs (matter-revocation.md §3), one entry
    /// per CRL: the CA's SKID and subject, the listed serials (uppercase, even-length hex), the signer and, for a
    /// delegated signer, its delegator (the CA — for a PAA-delegated signer too, so the SDK's cross-check passes).
    public func revocationSet(home: AuthorityHome) throws -> [RevocationSetEntry] {
        try currentCRLs(home: home).map { c in
            RevocationSetEntry(issuerSubjectKeyID: c.ca.skid, issuerName: Data(c.caCertificate.subject.der).base64EncodedString(),
                               revokedSerialNumbers: c.facts.serials.map { RevocationSetEntry.serialHex($0) },
                               crlSignerCert: Data(c.signerCertificate.der).base64EncodedString(),
                               crlSignerDelegator: c.delegator.map { Data($0.der).base64EncodedString() })
        }
    }
}

public enum DCLMetadataError: Error, CustomStringConvertible {
    case paaWithoutVID(String)
    case invalid(file: String, [DCLViolation])
    public var description: String {
        switch self {
        case .paaWithoutVID(let skid):
            return "PAA \(skid) carries no VID: give --paa-vid, the VID the DCL recorded for that root (a revocation point needs one)"
        case .invalid(let f, let v):
            return "the revocation point of \(f) would be refused by the DCL:\n" + v.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}

extension Inventory {
    /// `crl dcl-metadata`: per published CRL, the `PkiRevocationDistributionPoint` a vendor submits to the DCL
    /// (matter-revocation.md §2), checked against the DCL's static and dynamic rules before it is shown; a point the
    /// DCL would refuse is an error, never output.
    public func dclRevocationPoints(home: AuthorityHome, paaVID: VendorID? = nil, at now: Date = Date()) throws -> [DCLRevocationPoint] {
        try currentCRLs(home: home).map { c in
            let isPAA = c.ca.type == "paa"
            guard let vid = c.ca.vid ?? paaVID.map({ Int($0.rawValue) }) else { throw DCLMetadataError.paaWithoutVID(c.ca.skid) }
            let suffix = c.record.partition.map { " part \($0)" } ?? ""
            // The DCL counts Unicode scalars.
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: c.ca.name.unicodeScalars.prefix(64 - suffix.unicodeScalars.count))
            let label = String(scalars) + suffix
            let point = DCLRevocationPoint(vid: vid, label: label, issuerSubjectKeyID: c.ca.skid, pid: isPAA ? 0 : (c.ca.pid ?? 0), isPAA: isPAA,
                                           crlSignerCertificate: CertificateFile.pem(c.signerCertificate.der), dataURL: c.record.url,
                                           crlSignerDelegator: c.delegator.map { CertificateFile.pem($0.der) })
            let v = point.violations(at: now)
            guard v.isEmpty else { throw DCLMetadataError.invalid(file: c.record.file, v) }
            return point
        }
    }
}

import Crypto
import CertificateTemplates
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

/// A CRL that left the authority: its ledger record, where its file is, and what an operator should know.
public struct PublishedCRL: Sendable {
    public let record: CRLRecord
    public let path: URL
    public let warnings: [String]
}

public enum CRLPublicationError: Error, CustomStringConvertible {
    case filesNotWritten(published: Int, reason: String)
    case unknownCA(String)
    public var description: String {
        switch self {
        case .filesNotWritten(let n, let r):
            return "\(n) CRL(s) recorded in the ledger, files not written (\(r)); `matter-ca crl publish` again writes fresh ones"
        case .unknownCA(let k): return "no PAA or PAI \"\(k)\" in the ledger"
        }
    }
}

extension AuthorityHome {
    /// Where published CRLs live; the server serves this folder at /crl/.
    public var crlDirectory: URL { root.appendingPathComponent("crl") }
}

extension RevocationRecord {
    /// RFC 5280 §5.3.1 CRLReason codes.
    public static let reasonCodes: [String: Int] = ["unspecified": 0, "keyCompromise": 1, "cACompromise": 2, "affiliationChanged": 3,
                                                    "superseded": 4, "cessationOfOperation": 5, "privilegeWithdrawn": 9, "aACompromise": 10]
}

extension Authority {
    /// `crl publish`: one CRL (or one per partition) for every PAA (its revoked PAIs) and every PAI (its revoked
    /// DACs), each linted and signed through `Signer.signChecked` by the CA's own token key, recorded in the ledger
    /// with its number and digest, then written to `<home>/crl/`. Built from the ledger's revocations in one pass per
    /// CA: revoking never rebuilds anything, and a publication costs one walk of the list.
    public func publishCRLs(template: CRLTemplate, only caKey: String? = nil) throws -> [PublishedCRL] {
        // Two publishers at once (the CLI beside a server): the one that records second gets fresh numbers and signs again.
        for attempt in 1... {
            do { return try publishOnce(template: template, only: caKey) } catch LedgerError.crlNumberTaken where attempt < 5 { continue }
        }
        fatalError("unreachable")
    }

    func publishOnce(template: CRLTemplate, only caKey: String?) throws -> [PublishedCRL] {
        // An external PAA's CRL is its operator's to publish: no key for it here.
        var cas = try (ledger.authorities(type: "paa") + ledger.authorities(type: "pai")).filter { !$0.isExternal }
        if let caKey {
            cas = cas.filter { $0.skid == caKey.uppercased() || $0.name == caKey }
            guard !cas.isEmpty else { throw CRLPublicationError.unknownCA(caKey) }
        }
        let publication = UUID().uuidString
        let now = Int64(clock().timeIntervalSince1970.rounded(.down))
        let next = now + Int64(template.nextUpdateDays) * 86400
        var built: [(record: CRLRecord, der: [UInt8], warnings: [String])] = []
        var numbers: [String: Int64] = [:]
        let delegates = try ledger.authorities(type: CertificateType.crlSigner.rawValue)
        for ca in cas {
            let caCert = try inventory.certificate(of: ca)
            // The newest delegated CRL signer of this CA that is not itself revoked, else the CA's own key.
            let delegate = try delegates.filter { $0.parentSKID == ca.skid }.sorted { $0.createdAt > $1.createdAt }
                .first { try ledger.revocation(issuerSKID: ca.skid, serial: $0.serial) == nil }
            let signerRecord = delegate ?? ca
            let signerCert = try delegate.map { try inventory.certificate(of: $0) } ?? caCert
            guard let skid = signerCert.subjectKeyIdentifier else { throw AuthorityError.refused("\(signerRecord.skid) has no SKID") }
            let signer = try self.signer(for: signerRecord)
            let indirect = delegate == nil ? nil : caCert.subject.der
            var entries: [CRLEntry] = []
            try ledger.forEachRevocation(issuerSKID: ca.skid) { r in
                guard let serial = [UInt8](hex: r.serial) else { throw AuthorityError.refused("bad serial \(r.serial) in the revocations of \(ca.skid)") }
                entries.append(CRLEntry(serial: serial, revokedAt: Int64(r.revokedAt.timeIntervalSince1970.rounded(.down)),
                                        reason: RevocationRecord.reasonCodes[r.reason]))
            }
            let parts: [(index: Int?, slice: ArraySlice<CRLEntry>)]
            if template.partitionSize > 0 {
                let count = max(1, (entries.count + template.partitionSize - 1) / template.partitionSize)
                parts = (0..<count).map { k in (k, entries[min(entries.count, k * template.partitionSize)..<min(entries.count, (k + 1) * template.partitionSize)]) }
            } else {
                parts = [(nil, entries[...])]
            }
            let last = try numbers[signerRecord.skid] ?? ledger.lastCRLNumber(signerSKID: signerRecord.skid) ?? 0
            for (offset, part) in parts.enumerated() {
                let number = last + 1 + Int64(offset)
                let url = template.url(issuerSKID: ca.skid, partition: part.index)
                var spec = CRLSpec(number: Self.bigEndian(number), thisUpdate: now, nextUpdate: next, partitionURL: part.index == nil ? nil : url,
                                   indirectIssuer: indirect)
                spec.onlyCACerts = ca.type == "paa"
                let context = CRLLintContext(signerSubject: signerCert.subject.der, signerSKID: skid, indirectIssuer: indirect,
                                             previousNumber: Self.bigEndian(number - 1), partitioned: part.index != nil, publishedURL: url)
                let crl: SignedCRL
                do {
                    crl = try CRLBuilder.build(spec, entries: part.slice, signerSubject: signerCert.subject.der, signerSKID: skid, signer: signer, lint: context)
                } catch let e as CRLBuilderError { throw AuthorityError.refused("CRL of \(ca.type.uppercased()) \(ca.skid): \(e)") }
                var warnings: [String] = []
                if crl.der.count > MatterProfile.crlSizeWarningBytes {
                    warnings.append("CRL of \(ca.skid)\(part.index.map { " partition \($0)" } ?? "") is \(crl.der.count) bytes: the ESP on-device checker ignores CRLs over \(MatterProfile.crlSizeWarningBytes) bytes (set partition_size in Templates/crl.yaml)")
                }
                let file = CRLTemplate.fileName(issuerSKID: ca.skid, partition: part.index)
                let record = CRLRecord(publication: publication, caSKID: ca.skid, signerSKID: signerRecord.skid, partition: part.index, number: number,
                                       thisUpdate: Date(timeIntervalSince1970: TimeInterval(now)), nextUpdate: Date(timeIntervalSince1970: TimeInterval(next)),
                                       entries: part.slice.count, size: crl.der.count, sha256: Array(SHA256.hash(data: crl.der)).hexString, url: url, file: file)
                built.append((record, crl.der, warnings))
            }
            numbers[signerRecord.skid] = last + Int64(parts.count)
        }
        // In the ledger before any file leaves.
        do { try ledger.recordCRLs(built.map(\.record), actor: actor) } catch LedgerError.crlNumberTaken { throw LedgerError.crlNumberTaken } catch {
            throw AuthorityError.from(error)
        }
        do {
            try OutputLocation.prepare(home.crlDirectory)
            for b in built { try FileOutput.write(b.der, to: home.crlDirectory.appendingPathComponent(b.record.file), mode: 0o644) }
        } catch { throw CRLPublicationError.filesNotWritten(published: built.count, reason: "\(error)") }
        return built.map { PublishedCRL(record: $0.record, path: home.crlDirectory.appendingPathComponent($0.record.file), warnings: $0.warnings) }
    }

    static func bigEndian(_ n: Int64) -> [UInt8] {
        var v = UInt64(n), out: [UInt8] = []
        repeat { out.insert(UInt8(v & 0xFF), at: 0); v >>= 8 } while v > 0
        return out
    }
}

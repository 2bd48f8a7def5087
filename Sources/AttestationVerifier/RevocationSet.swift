import Foundation
import MatterPKI

/// Where the verifier learns that a DAC or PAI was revoked.
public protocol RevocationSource: Sendable {
    /// The entry that revokes `certificate`, or nil when it is not revoked.
    func revocation(of certificate: ParsedCertificate) -> String?
}

/// The Matter revocation-set JSON (matter-attestation.md §2.7; `credentials/generate_revocation_set.py`), read as
/// the SDK's `TestDACRevocationDelegateImpl` reads it: an entry applies when its issuer name (base64 DER) and
/// issuer SKID equal the certificate's issuer and AKID; the CRL signer (or its delegator) must have that subject
/// and SKID, else the certificate counts as not revoked; serials are uppercase hex.
public struct RevocationSet: RevocationSource {
    public typealias Entry = RevocationSetEntry

    public let entries: [Entry]
    /// (issuer name, issuer SKID) → the serials its usable entries revoke, built once: a check is two hash
    /// lookups, not a scan of the set (a utility's set can list millions of serials).
    private let index: [Key: Set<String>]
    private struct Key: Hashable { let issuerName: String; let skid: String }

    public init(entries: [Entry]) {
        self.entries = entries
        var index: [Key: Set<String>] = [:]
        for e in entries {
            let key = Key(issuerName: e.issuer_name, skid: e.issuer_subject_key_id)
            // TestDACRevocationDelegateImpl: the delegator (else the signer) must have exactly that subject and SKID,
            // else the entry revokes nothing.
            guard let signerDER = Data(base64Encoded: e.crl_signer_delegator ?? e.crl_signer_cert),
                  let signer = try? ParsedCertificate(der: Array(signerDER)),
                  Data(signer.subject.der).base64EncodedString() == e.issuer_name,
                  signer.subjectKeyIdentifier?.hexString == e.issuer_subject_key_id else { continue }
            index[key, default: []].formUnion(e.revoked_serial_numbers.map { $0.uppercased() })
        }
        self.index = index
    }

    public struct ReadError: Error, CustomStringConvertible { public let description: String }

    public init(json: Data, source: String = "revocation set") throws {
        do { self.init(entries: try JSONDecoder().decode([Entry].self, from: json)) } catch {
            throw ReadError(description: "\(source): not a Matter revocation set (JSON array of revocation_set entries): \(error)")
        }
    }

    /// Serials the set revokes, over all issuers.
    public var revokedCount: Int { index.values.reduce(0) { $0 + $1.count } }

    public func revocation(of certificate: ParsedCertificate) -> String? {
        guard let akid = certificate.authorityKeyIdentifier else { return nil }
        let akidHex = akid.hexString
        guard let serials = index[Key(issuerName: Data(certificate.issuer.der).base64EncodedString(), skid: akidHex)] else { return nil }
        let serialHex = RevocationSetEntry.serialHex(certificate.serialNumber)   // the magnitude, as OpenSSL reports it
        guard serialHex.utf8.count <= 40 else { return nil }
        return serials.contains(serialHex) ? "serial \(serialHex) revoked by the entry for issuer SKID \(akidHex)" : nil
    }
}

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
    public struct Entry: Codable, Sendable {
        public var type: String
        public var issuer_subject_key_id: String
        public var issuer_name: String
        public var revoked_serial_numbers: [String]
        public var crl_signer_cert: String
        public var crl_signer_delegator: String?
        public init(issuerSubjectKeyID: String, issuerName: String, revokedSerialNumbers: [String], crlSignerCert: String,
                    crlSignerDelegator: String? = nil) {
            type = "revocation_set"; issuer_subject_key_id = issuerSubjectKeyID; issuer_name = issuerName
            revoked_serial_numbers = revokedSerialNumbers; crl_signer_cert = crlSignerCert; crl_signer_delegator = crlSignerDelegator
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public struct ReadError: Error, CustomStringConvertible { public let description: String }

    public init(json: Data, source: String = "revocation set") throws {
        do { entries = try JSONDecoder().decode([Entry].self, from: json) } catch {
            throw ReadError(description: "\(source): not a Matter revocation set (JSON array of revocation_set entries): \(error)")
        }
    }

    public func revocation(of certificate: ParsedCertificate) -> String? {
        guard let akid = certificate.authorityKeyIdentifier else { return nil }
        let issuerB64 = Data(certificate.issuer.der).base64EncodedString()
        let akidHex = akid.hexString
        var serial = certificate.serialNumber
        while serial.count > 1 && serial[0] == 0 { serial.removeFirst() }  // the magnitude, as OpenSSL reports it
        guard serial.count <= 20 else { return nil }
        let serialHex = serial.hexString
        for e in entries where e.issuer_name == issuerB64 && e.issuer_subject_key_id == akidHex {
            guard let signerDER = Data(base64Encoded: e.crl_signer_delegator ?? e.crl_signer_cert),
                  let signer = try? ParsedCertificate(der: Array(signerDER)),
                  Data(signer.subject.der).base64EncodedString() == e.issuer_name,
                  signer.subjectKeyIdentifier?.hexString == e.issuer_subject_key_id else { return nil }
            if e.revoked_serial_numbers.contains(serialHex) {
                return "serial \(serialHex) revoked by the entry for issuer SKID \(akidHex)"
            }
        }
        return nil
    }
}

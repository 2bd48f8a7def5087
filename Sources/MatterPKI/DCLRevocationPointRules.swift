/// The checks the Distributed Compliance Ledger applies to `MsgAddPkiRevocationDistributionPoint`, as data
/// (matter-revocation.md §2). Only what can be decided from the message alone is here: the ledger lookups (vendor
/// account, approved roots, chaining to DCL, uniqueness) need the ledger.
public enum DCLRule: String, CaseIterable, Sendable, Codable {
    // Static: validate tags and ValidateBasic
    case vidOutOfRange
    case pidOutOfRange
    case labelMissing
    case labelTooLong
    case crlSignerCertificateMissing
    case crlSignerCertificateTooLong
    case crlSignerDelegatorTooLong
    case issuerSubjectKeyIDMissing
    case issuerSubjectKeyIDTooLong
    case issuerSubjectKeyIDNotUppercaseHex
    case dataURLMissing
    case dataURLTooLong
    case dataURLNotHTTP
    case dataDigestTooLong
    case dataFileSizeNotUInt64
    case revocationTypeUnsupported
    case schemaVersionNotZero
    case dataDigestTypeUnsupported
    case dataDigestFileSizeMismatch
    case dataDigestTypeDigestMismatch
    case dataFieldsPresentForCRL
    // Dynamic: the certificates (signer, and delegator when given)
    case certificateNotPEM
    case certificateUnparsable
    case serialNumberInvalid
    case tooManySANs
    case tooManySubjectAttributes
    case signerVIDPIDMalformed
    case signerVIDMismatch
    case paaPointPIDNotZero
    case paaSignerCarriesPID
    case paiSignerSelfSigned
    case pidSetWithoutSignerPID
    case pidDiffersFromSignerPID
    case delegateWithoutDelegator
    // The delegated CRL-signer profile (VerifyCRLSignerCertFormat)
    case delegateNotV3
    case delegateNotECDSAWithSHA256
    case delegateKeyNotP256
    case delegateSKIDMissing
    case delegateCAFlagNotFalse
    case delegateBasicConstraintsNotCritical
    case delegateKeyUsageNotCritical
    case delegateKeyUsageLacksCRLSign
    case delegateKeyUsageHasOtherBits
    case delegateNotVerifiedByDelegator

    public var requirement: String { spec.requirement }
    /// Where the rule comes from: a DCL file at the commit matter-revocation.md read, unless it names another.
    public var source: String { spec.source }

    private var spec: (requirement: String, source: String) {
        let dcl = "zigbee-alliance/distributed-compliance-ledger@7319bed3 "
        let tags = dcl + "proto/zigbeealliance/distributedcomplianceledger/pki/tx.proto (validate tags; utils/validator)"
        let basic = dcl + "x/pki/types/message_add_pki_revocation_distribution_point.go verifyFields; x/pki/types/types.go"
        let parse = dcl + "x/pki/x509/x509.go ParseAndValidateCertificate"
        let keeper = dcl + "x/pki/keeper/msg_server_add_pki_revocation_distribution_point.go"
        let format = keeper + " VerifyCRLSignerCertFormat"
        switch self {
        case .vidOutOfRange: return ("vid is required and within 1...65535", tags)
        case .pidOutOfRange: return ("pid is within 0...65535", tags)
        case .labelMissing: return ("label is required", tags)
        case .labelTooLong: return ("label has at most 64 characters", tags)
        case .crlSignerCertificateMissing: return ("crlSignerCertificate is required", tags)
        case .crlSignerCertificateTooLong: return ("crlSignerCertificate has at most 2048 characters", tags)
        case .crlSignerDelegatorTooLong: return ("crlSignerDelegator has at most 2048 characters", tags)
        case .issuerSubjectKeyIDMissing: return ("issuerSubjectKeyID is required", tags)
        case .issuerSubjectKeyIDTooLong: return ("issuerSubjectKeyID has at most 64 characters", tags)
        case .issuerSubjectKeyIDNotUppercaseHex:
            return ("issuerSubjectKeyID matches ^(?:[0-9A-F]{2})+$ (uppercase hex pairs, no colons)", basic)
        case .dataURLMissing: return ("dataURL is required", tags)
        case .dataURLTooLong: return ("dataURL has at most 256 characters", tags)
        case .dataURLNotHTTP:
            return ("dataURL parses as a request URI with a host and scheme http or https", dcl + "utils/validator/validations.go validURL")
        case .dataDigestTooLong: return ("dataDigest has at most 128 characters", tags)
        case .dataFileSizeNotUInt64:
            return ("dataFileSize, when given, is a decimal uint64",
                    dcl + "proto/zigbeealliance/distributedcomplianceledger/pki/pki_revocation_distribution_point.proto (uint64; a string in JSON)")
        case .revocationTypeUnsupported: return ("revocationType is 1 (an RFC 5280 CRL), the only type allowed", basic)
        case .schemaVersionNotZero: return ("schemaVersion is 0", tags)
        case .dataDigestTypeUnsupported: return ("dataDigestType, if non-zero, is one of 1, 7, 8, 10, 11, 12", basic)
        case .dataDigestFileSizeMismatch: return ("dataDigest is present if and only if dataFileSize is", basic)
        case .dataDigestTypeDigestMismatch: return ("dataDigestType is present if and only if dataDigest is", basic)
        case .dataFieldsPresentForCRL:
            return ("for revocationType 1, dataFileSize, dataDigest and dataDigestType are absent",
                    basic + "; x/pki/keeper/msg_server_update_pki_revocation_distribution_point.go")
        case .certificateNotPEM:
            return ("the signer and delegator certificates are PEM (pem.Decode; DER is refused)", dcl + "x/pki/x509/x509.go DecodeX509Certificate")
        case .certificateUnparsable: return ("the signer and delegator certificates parse as X.509", dcl + "x/pki/x509/x509.go DecodeX509Certificate")
        case .serialNumberInvalid: return ("certificate serial numbers are positive and at most 20 octets", parse)
        case .tooManySANs: return ("a certificate carries at most 100 DNS/e-mail/IP/URI subject alternative names", parse)
        case .tooManySubjectAttributes: return ("a certificate subject has at most 50 attributes (in x509.go, not in §2)", parse)
        case .signerVIDPIDMalformed:
            return ("the signer's Matter VID/PID (attributes or Mvid:/Mpid: in the CN) are 4 hex digits",
                    dcl + "x/pki/x509/x509.go GetVidFromSubject/GetPidFromSubject; SDK ExtractVIDPIDFromX509Cert")
        case .signerVIDMismatch: return ("a VID in the signer's subject equals vid", keeper + " verifyPAA/verifyPAI")
        case .paaPointPIDNotZero: return ("with isPAA, pid is 0", keeper + " verifyPAA")
        case .paaSignerCarriesPID: return ("with isPAA, the signer's subject carries no PID", keeper + " verifyPAA")
        case .paiSignerSelfSigned: return ("without isPAA, the signer is not self-signed", keeper + " verifyPAI")
        case .pidSetWithoutSignerPID: return ("without isPAA, a signer without a PID needs pid 0", keeper + " verifyPAI")
        case .pidDiffersFromSignerPID: return ("without isPAA, a signer with a PID needs pid equal to it", keeper + " verifyPAI")
        case .delegateWithoutDelegator:
            return ("without isPAA, a signer that is not self-signed and not a PAI (cA not TRUE) comes with its crlSignerDelegator",
                    "Matter spec text quoted in project-chip/matter.js packages/types/src/dcl/device-attestation-revocation.ts@531401fa; "
                        + "the SDK's TestDACRevocationDelegateImpl cross-check (matter-revocation.md §3)")
        case .delegateNotV3: return ("a delegated signer is X.509 v3", format)
        case .delegateNotECDSAWithSHA256: return ("a delegated signer is signed with ecdsa-with-SHA256", format)
        case .delegateKeyNotP256: return ("a delegated signer has a P-256 key", format)
        case .delegateSKIDMissing: return ("a delegated signer has a subjectKeyIdentifier", format)
        case .delegateCAFlagNotFalse: return ("a delegated signer has basicConstraints with cA FALSE", format)
        case .delegateBasicConstraintsNotCritical: return ("a delegated signer's basicConstraints is critical", format)
        case .delegateKeyUsageNotCritical: return ("a delegated signer has a critical keyUsage", format)
        case .delegateKeyUsageLacksCRLSign: return ("a delegated signer's keyUsage has cRLSign", format)
        case .delegateKeyUsageHasOtherBits: return ("a delegated signer's keyUsage has no bit but cRLSign and digitalSignature", format)
        case .delegateNotVerifiedByDelegator:
            return ("without isPAA, a delegated signer verifies under its delegator (Go crypto/x509 Verify at block time)",
                    keeper + " checkCRLSignerNonRootCert; x/pki/x509/x509.go Certificate.Verify")
        }
    }
}

/// One broken DCL rule and what was found.
public struct DCLViolation: Error, Hashable, Sendable, CustomStringConvertible {
    public let rule: DCLRule
    public let detail: String
    public init(_ rule: DCLRule, _ detail: String) { self.rule = rule; self.detail = detail }
    public var description: String { "\(rule.rawValue): \(detail)" }
}

/// The Matter SDK's `AttestationVerificationResult` (DeviceAttestationVerifier.h, newest numbering:
/// matter-attestation.md §2.6), code for code.
public enum AttestationVerificationResult: Int, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case success = 0
    case paaUntrusted = 100, paaNotFound = 101, paaExpired = 102, paaSignatureInvalid = 103, paaRevoked = 104,
         paaFormatInvalid = 105, paaArgumentInvalid = 106
    case paiExpired = 200, paiSignatureInvalid = 201, paiRevoked = 202, paiFormatInvalid = 203, paiArgumentInvalid = 204,
         paiVendorIdMismatch = 205, paiAuthorityNotFound = 206, paiMissing = 207, paiAndDacRevoked = 208
    case dacExpired = 300, dacSignatureInvalid = 301, dacRevoked = 302, dacFormatInvalid = 303, dacArgumentInvalid = 304,
         dacVendorIdMismatch = 305, dacProductIdMismatch = 306, dacAuthorityNotFound = 307
    case firmwareInformationMismatch = 400, firmwareInformationMissing = 401
    case attestationSignatureInvalid = 500, attestationElementsMalformed = 501, attestationNonceMismatch = 502,
         attestationSignatureInvalidFormat = 503
    case certificationDeclarationNoKeyId = 600, certificationDeclarationNoCertificateFound = 601,
         certificationDeclarationInvalidSignature = 602, certificationDeclarationInvalidFormat = 603,
         certificationDeclarationInvalidVendorId = 604, certificationDeclarationInvalidProductId = 605,
         certificationDeclarationInvalidPAA = 606
    case noMemory = 700, invalidArgument = 701, internalError = 702, notImplemented = 703

    /// The SDK's enumerator name without the `k` (as in chip-tool logs and sdk-verdicts.json).
    public var name: String { Self.names[self]! }

    static let names: [AttestationVerificationResult: String] = [
        .success: "Success",
        .paaUntrusted: "PaaUntrusted",
        .paaNotFound: "PaaNotFound",
        .paaExpired: "PaaExpired",
        .paaSignatureInvalid: "PaaSignatureInvalid",
        .paaRevoked: "PaaRevoked",
        .paaFormatInvalid: "PaaFormatInvalid",
        .paaArgumentInvalid: "PaaArgumentInvalid",
        .paiExpired: "PaiExpired",
        .paiSignatureInvalid: "PaiSignatureInvalid",
        .paiRevoked: "PaiRevoked",
        .paiFormatInvalid: "PaiFormatInvalid",
        .paiArgumentInvalid: "PaiArgumentInvalid",
        .paiVendorIdMismatch: "PaiVendorIdMismatch",
        .paiAuthorityNotFound: "PaiAuthorityNotFound",
        .paiMissing: "PaiMissing",
        .paiAndDacRevoked: "PaiAndDacRevoked",
        .dacExpired: "DacExpired",
        .dacSignatureInvalid: "DacSignatureInvalid",
        .dacRevoked: "DacRevoked",
        .dacFormatInvalid: "DacFormatInvalid",
        .dacArgumentInvalid: "DacArgumentInvalid",
        .dacVendorIdMismatch: "DacVendorIdMismatch",
        .dacProductIdMismatch: "DacProductIdMismatch",
        .dacAuthorityNotFound: "DacAuthorityNotFound",
        .firmwareInformationMismatch: "FirmwareInformationMismatch",
        .firmwareInformationMissing: "FirmwareInformationMissing",
        .attestationSignatureInvalid: "AttestationSignatureInvalid",
        .attestationElementsMalformed: "AttestationElementsMalformed",
        .attestationNonceMismatch: "AttestationNonceMismatch",
        .attestationSignatureInvalidFormat: "AttestationSignatureInvalidFormat",
        .certificationDeclarationNoKeyId: "CertificationDeclarationNoKeyId",
        .certificationDeclarationNoCertificateFound: "CertificationDeclarationNoCertificateFound",
        .certificationDeclarationInvalidSignature: "CertificationDeclarationInvalidSignature",
        .certificationDeclarationInvalidFormat: "CertificationDeclarationInvalidFormat",
        .certificationDeclarationInvalidVendorId: "CertificationDeclarationInvalidVendorId",
        .certificationDeclarationInvalidProductId: "CertificationDeclarationInvalidProductId",
        .certificationDeclarationInvalidPAA: "CertificationDeclarationInvalidPAA",
        .noMemory: "NoMemory",
        .invalidArgument: "InvalidArgument",
        .internalError: "InternalError",
        .notImplemented: "NotImplemented"
    ]
    public var description: String { "\(rawValue) \(name)" }
}

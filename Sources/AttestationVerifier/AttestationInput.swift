/// What a commissioner holds after AttestationRequest and CertificateChainRequest (matter-attestation.md §2.1).
public struct AttestationInput: Sendable {
    public var attestationElements: [UInt8]
    public var attestationChallenge: [UInt8]
    /// Raw r‖s, 64 bytes.
    public var attestationSignature: [UInt8]
    public var pai: [UInt8]
    public var dac: [UInt8]
    /// The 32-byte nonce the commissioner sent.
    public var attestationNonce: [UInt8]
    /// Basic Information cluster VendorID / ProductID as read from the device.
    public var vendorID: UInt16
    public var productID: UInt16

    public init(attestationElements: [UInt8], attestationChallenge: [UInt8], attestationSignature: [UInt8], pai: [UInt8],
                dac: [UInt8], attestationNonce: [UInt8], vendorID: UInt16, productID: UInt16) {
        self.attestationElements = attestationElements; self.attestationChallenge = attestationChallenge
        self.attestationSignature = attestationSignature; self.pai = pai; self.dac = dac
        self.attestationNonce = attestationNonce; self.vendorID = vendorID; self.productID = productID
    }
}

/// Checks of CD fields the SDK's verifier leaves to the DCL (device type, certificate id, security level and
/// information, version number: matter-attestation.md §2.5.5, last paragraph). Off unless given; a mismatch is
/// reported as 603 CertificationDeclarationInvalidFormat with a reason naming the field.
public struct CDExpectations: Sendable, Equatable {
    public var deviceTypeID: UInt32?
    public var certificateID: String?
    public var securityLevel: UInt8?
    public var securityInformation: UInt16?
    public var versionNumber: UInt16?
    public init(deviceTypeID: UInt32? = nil, certificateID: String? = nil, securityLevel: UInt8? = nil,
                securityInformation: UInt16? = nil, versionNumber: UInt16? = nil) {
        self.deviceTypeID = deviceTypeID; self.certificateID = certificateID; self.securityLevel = securityLevel
        self.securityInformation = securityInformation; self.versionNumber = versionNumber
    }
}

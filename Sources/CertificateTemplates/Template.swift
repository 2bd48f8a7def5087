import Crypto
import Foundation
import MatterPKI

/// The operator-tunable part of a certificate profile, within the Matter rules.
public struct Template: Sendable, Equatable {
    public enum Lifetime: Sendable, Equatable {
        case days(Int)
        case noWellDefinedExpiry
    }
    public var type: CertificateType
    public var lifetime: Lifetime
    /// CN with placeholders {name}, {vid}, {pid}, {device_id}.
    public var commonNamePattern: String
    public var vidPidEncoding: CertificateSpec.VIDPIDEncoding
    public var serialLength: Int
    /// PAA only: pathLenConstraint 1 (true) or absent (false).
    public var paaPathLengthOne: Bool
    /// PAA/PAI: also set digitalSignature in keyUsage (allowed, optional).
    public var caDigitalSignature: Bool = false
    public var crlDistributionPointURI: String?
    /// notBefore = issuance time minus this, so that devices and factory tools whose clocks lag a little do not
    /// see a "not yet valid" certificate (chip-cert backdates to the start of the day).
    public var backdateSeconds: Int = 3600
    /// Where it was loaded from, for messages.
    public var source: String
    /// SHA-256 (hex) of the template's text as it was read: what a ceremony transcript names.
    public var textSHA256: String = ""

    public init(type: CertificateType, lifetime: Lifetime, commonNamePattern: String = "{name}",
                vidPidEncoding: CertificateSpec.VIDPIDEncoding = .attributes, serialLength: Int = 16,
                paaPathLengthOne: Bool = true, crlDistributionPointURI: String? = nil, source: String = "built-in") {
        self.type = type; self.lifetime = lifetime; self.commonNamePattern = commonNamePattern
        self.vidPidEncoding = vidPidEncoding; self.serialLength = serialLength; self.paaPathLengthOne = paaPathLengthOne
        self.crlDistributionPointURI = crlDistributionPointURI; self.source = source
    }

    static let placeholders: Set<String> = ["name", "vid", "pid", "device_id"]
}

/// What is being asked for: the parts a template does not decide.
public struct CertificateRequest: Sendable {
    public var type: CertificateType
    public var name: String?
    public var vid: VendorID?
    public var pid: ProductID?
    public var deviceID: String?
    public var publicKey: P256.Signing.PublicKey
    /// Defaults to now, truncated to whole seconds.
    public var notBefore: Date?

    public init(type: CertificateType, name: String? = nil, vid: VendorID? = nil, pid: ProductID? = nil,
                deviceID: String? = nil, publicKey: P256.Signing.PublicKey, notBefore: Date? = nil) {
        self.type = type; self.name = name; self.vid = vid; self.pid = pid; self.deviceID = deviceID
        self.publicKey = publicKey; self.notBefore = notBefore
    }
}

extension Template {
    /// SHA-256 of every field that shapes a certificate: a batch's idempotency key is bound to it, so a changed
    /// template is a different request.
    public var fingerprint: String {
        let lifetimeText: String
        switch lifetime { case .days(let d): lifetimeText = "days:\(d)"; case .noWellDefinedExpiry: lifetimeText = "no-expiry" }
        let fields = ["\(type)", lifetimeText, commonNamePattern, "\(vidPidEncoding)", String(serialLength), String(paaPathLengthOne),
                      String(caDigitalSignature), crlDistributionPointURI ?? "-", String(backdateSeconds)]
        return Array(SHA256.hash(data: Data(fields.map { "\($0.utf8.count):\($0)" }.joined().utf8))).lowercaseHexString
    }
}

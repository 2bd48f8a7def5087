import Crypto
import Foundation

/// A fully specified certificate request: what the template engine hands to the builder. Every field is
/// decided; the builder adds nothing but the serial number, key identifiers and the issuer name.
public struct CertificateSpec: Sendable {
    public enum VIDPIDEncoding: String, Sendable, Codable {
        /// The Matter DN attributes 1.3.6.1.4.1.37244.2.1/.2 (the SDK's preferred form).
        case attributes
        /// `Mvid:XXXX Mpid:YYYY` appended to the CN, no Matter attributes (chip-cert --vid-pid-as-cn).
        case commonNameFallback = "cn-fallback"
    }

    public enum Expiry: Sendable, Equatable {
        case date(Date)
        /// notAfter 99991231235959Z.
        case noWellDefinedExpiration
    }

    public var type: CertificateType
    public var commonName: String
    public var vid: VendorID?
    public var pid: ProductID?
    public var vidPidEncoding: VIDPIDEncoding
    public var publicKey: P256.Signing.PublicKey
    public var notBefore: Date
    public var expiry: Expiry
    public var serialNumberLength: Int
    /// PAA only: whether basicConstraints carries pathLenConstraint 1 (else absent).
    public var paaPathLengthOne: Bool
    /// PAA/PAI: keyUsage also has digitalSignature (the profile allows it).
    public var caDigitalSignature: Bool = false
    public var crlDistributionPointURI: String?

    public init(type: CertificateType, commonName: String, vid: VendorID? = nil, pid: ProductID? = nil,
                vidPidEncoding: VIDPIDEncoding = .attributes, publicKey: P256.Signing.PublicKey,
                notBefore: Date, expiry: Expiry, serialNumberLength: Int = 16, paaPathLengthOne: Bool = true,
                crlDistributionPointURI: String? = nil) {
        self.type = type; self.commonName = commonName; self.vid = vid; self.pid = pid
        self.vidPidEncoding = vidPidEncoding; self.publicKey = publicKey; self.notBefore = notBefore
        self.expiry = expiry; self.serialNumberLength = serialNumberLength; self.paaPathLengthOne = paaPathLengthOne
        self.crlDistributionPointURI = crlDistributionPointURI
    }

    /// The CN as it will be written: with ` Mvid:XXXX Mpid:YYYY` appended for the fallback encoding.
    public var encodedCommonName: String {
        guard vidPidEncoding == .commonNameFallback else { return commonName }
        var cn = commonName
        if let vid { cn += " Mvid:\(vid.hex)" }
        if let pid { cn += " Mpid:\(pid.hex)" }
        return cn
    }

    public var notAfter: Date {
        switch expiry {
        case .date(let d): return d
        case .noWellDefinedExpiration: return CertificateTime.noWellDefinedExpiration.date
        }
    }
}

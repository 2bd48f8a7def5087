import SwiftASN1

/// Object identifiers the Matter profile talks about.
public enum OID {
    public static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    public static let ecdsaWithSHA1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 1]
    public static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    public static let prime256v1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]

    public static let commonName: ASN1ObjectIdentifier = [2, 5, 4, 3]
    public static let matterVID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 37244, 2, 1]
    public static let matterPID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 37244, 2, 2]

    public static let basicConstraints: ASN1ObjectIdentifier = [2, 5, 29, 19]
    public static let keyUsage: ASN1ObjectIdentifier = [2, 5, 29, 15]
    public static let subjectKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 14]
    public static let authorityKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 35]
    public static let extendedKeyUsage: ASN1ObjectIdentifier = [2, 5, 29, 37]
    public static let subjectAltName: ASN1ObjectIdentifier = [2, 5, 29, 17]
    public static let crlDistributionPoints: ASN1ObjectIdentifier = [2, 5, 29, 31]
    public static let authorityInfoAccess: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 1]

    /// Extensions the SDK's X.509 chain validation understands when critical (its crypto library's
    /// `X509_supported_extension`, measured with the sdk-judge: a critical cRLDistributionPoints, for one, fails
    /// the chain). Any other extension marked critical makes the PAI or DAC chain invalid.
    static let handledWhenCritical: Set<ASN1ObjectIdentifier> = [
        [2, 16, 840, 1, 113730, 1, 1],      // netscape cert type
        keyUsage, subjectAltName, basicConstraints,
        [2, 5, 29, 32],                     // certificate policies
        extendedKeyUsage,
        [2, 5, 29, 36],                     // policy constraints
        [2, 5, 29, 30],                     // name constraints
        [2, 5, 29, 33],                     // policy mappings
        [2, 5, 29, 54],                     // inhibit any policy
    ]

    static func name(_ oid: ASN1ObjectIdentifier) -> String {
        switch oid {
        case basicConstraints: return "basicConstraints"
        case keyUsage: return "keyUsage"
        case subjectKeyIdentifier: return "subjectKeyIdentifier"
        case authorityKeyIdentifier: return "authorityKeyIdentifier"
        case extendedKeyUsage: return "extendedKeyUsage"
        case subjectAltName: return "subjectAltName"
        case crlDistributionPoints: return "cRLDistributionPoints"
        case authorityInfoAccess: return "authorityInfoAccess"
        case ecdsaWithSHA256: return "ecdsa-with-SHA256"
        case ecdsaWithSHA1: return "ecdsa-with-SHA1"
        case prime256v1: return "prime256v1"
        case commonName: return "CN"
        case matterVID: return "MatterVID"
        case matterPID: return "MatterPID"
        default: return oid.description
        }
    }
}

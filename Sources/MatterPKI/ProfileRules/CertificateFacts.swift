import Crypto
import SwiftASN1

/// What the rules look at, decoded once per certificate.
public struct CertificateFacts: Sendable {
    public let certificate: ParsedCertificate
    public let type: CertificateType
    public let basicConstraints: Result<BasicConstraintsValue, CertificateParseError>?
    public let keyUsage: Result<KeyUsageValue, CertificateParseError>?
    public let subjectKeyIdentifier: Result<SubjectKeyIdentifierValue, CertificateParseError>?
    public let authorityKeyIdentifier: Result<AuthorityKeyIdentifierValue, CertificateParseError>?
    public let vidPid: Result<MatterVIDPID, MatterVIDPID.EncodingError>

    public init(_ certificate: ParsedCertificate, as type: CertificateType) {
        self.certificate = certificate
        self.type = type
        func decode<T>(_ oid: ASN1ObjectIdentifier, _ f: ([UInt8]) throws -> T) -> Result<T, CertificateParseError>? {
            guard let e = certificate.extensions.first(where: { $0.oid == oid }) else { return nil }
            do { return .success(try f(e.value)) } catch let err as CertificateParseError { return .failure(err) } catch {
                return .failure(CertificateParseError(OID.name(oid), "\(error)"))
            }
        }
        basicConstraints = decode(OID.basicConstraints, BasicConstraintsValue.init)
        keyUsage = decode(OID.keyUsage, KeyUsageValue.init)
        subjectKeyIdentifier = decode(OID.subjectKeyIdentifier, SubjectKeyIdentifierValue.init)
        authorityKeyIdentifier = decode(OID.authorityKeyIdentifier, AuthorityKeyIdentifierValue.init)
        vidPid = Result { () throws(MatterVIDPID.EncodingError) in try MatterVIDPID.extract(from: certificate.subject) }
    }

    public func extensions(_ oid: ASN1ObjectIdentifier) -> [ParsedCertificate.Extension] { certificate.extensions.filter { $0.oid == oid } }
    var bc: BasicConstraintsValue? { try? basicConstraints?.get() }
    var ku: KeyUsageValue? { try? keyUsage?.get() }
    public var skid: [UInt8]? { try? subjectKeyIdentifier?.get().keyIdentifier }
    public var akid: [UInt8]? { try? authorityKeyIdentifier?.get().keyIdentifier }
    public var ids: MatterVIDPID? { try? vidPid.get() }
}

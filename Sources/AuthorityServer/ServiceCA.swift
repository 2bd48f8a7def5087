import Authority
import Crypto
import Foundation
import SwiftASN1
import X509

/// The TLS identity of `matter-ca serve` when the operator gives none: a small software CA of its own, kept in the
/// home (`service-ca/`), that issues the server's certificate. It is never the Matter PAA and signs nothing else;
/// clients trust it with `--cacert <home>/service-ca/ca.pem`.
public struct ServiceCA: Sendable {
    public let directory: URL
    public var caPEM: URL { directory.appendingPathComponent("ca.pem") }
    public var serverCertificatePEM: URL { directory.appendingPathComponent("server.pem") }
    public var serverKeyPEM: URL { directory.appendingPathComponent("server-key.pem") }
    var caKeyPEM: URL { directory.appendingPathComponent("ca-key.pem") }

    public init(home: URL) { directory = home.appendingPathComponent("service-ca") }

    /// The CA and a server certificate for `hosts` (IP addresses or DNS names), made once and reused; a server
    /// certificate that does not cover `hosts` is issued anew by the same CA.
    public func ensure(hosts: [String], now: Date = Date()) throws -> (fingerprint: String, created: Bool) {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var created = false
        if !fm.fileExists(atPath: caPEM.path) || !fm.fileExists(atPath: caKeyPEM.path) {
            let key = P256.Signing.PrivateKey()
            let name = try DistinguishedName { CommonName("matter-ca service CA (TLS only, not a Matter PAA)") }
            let ca = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: now.addingTimeInterval(-3600),
                                     notValidAfter: now.addingTimeInterval(10 * 365 * 86400), issuer: name, subject: name,
                                     signatureAlgorithm: .ecdsaWithSHA256,
                                     extensions: try Certificate.Extensions {
                                         Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                                         Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                                         SubjectKeyIdentifier(hash: .init(key.publicKey))
                                     }, issuerPrivateKey: .init(key))
            try write(try ca.serializeAsPEM().pemString, to: caPEM, mode: 0o644)
            try write(key.pemRepresentation, to: caKeyPEM, mode: 0o600)
            created = true
        }
        let caCert = try Certificate(pemEncoded: String(contentsOf: caPEM, encoding: .utf8))
        let covered = try serverCovers(hosts)
        if created || !covered {
            let caKey = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOf: caKeyPEM, encoding: .utf8))
            let key = P256.Signing.PrivateKey()
            let names: [GeneralName] = hosts.map { h in
                if let ip = Self.ipBytes(h) { return .ipAddress(ASN1OctetString(contentBytes: ip[...])) }
                return .dnsName(h)
            }
            let cert = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: now.addingTimeInterval(-3600),
                                       notValidAfter: now.addingTimeInterval(365 * 86400), issuer: caCert.subject,
                                       subject: try DistinguishedName { CommonName(hosts.first ?? "localhost") },
                                       signatureAlgorithm: .ecdsaWithSHA256,
                                       extensions: try Certificate.Extensions {
                                           Critical(BasicConstraints.notCertificateAuthority)
                                           Critical(KeyUsage(digitalSignature: true))
                                           try ExtendedKeyUsage([.serverAuth])
                                           SubjectAlternativeNames(names)
                                       }, issuerPrivateKey: .init(caKey))
            try write(try cert.serializeAsPEM().pemString + "\n" + (try caCert.serializeAsPEM().pemString), to: serverCertificatePEM, mode: 0o644)
            try write(key.pemRepresentation, to: serverKeyPEM, mode: 0o600)
        }
        var s = DER.Serializer()
        try s.serialize(caCert)
        let fingerprint = SHA256.hash(data: s.serializedBytes).map { String(format: "%02X", $0) }.joined(separator: ":")
        return (fingerprint, created)
    }

    func serverCovers(_ hosts: [String]) throws -> Bool {
        guard let text = try? String(contentsOf: serverCertificatePEM, encoding: .utf8), FileManager.default.fileExists(atPath: serverKeyPEM.path),
              let cert = try? Certificate(pemEncoded: text), let san = try? cert.extensions.subjectAlternativeNames else { return false }
        return hosts.allSatisfy { h in
            san.contains { n in
                switch n {
                case .dnsName(let d): return d == h
                case .ipAddress(let ip): return Self.ipBytes(h).map { Array(ip.bytes) == $0 } ?? false
                default: return false
                }
            }
        }
    }

    static func ipBytes(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".")
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }

    func write(_ text: String, to url: URL, mode: mode_t) throws {
        try FileOutput.write(Data(text.utf8), to: url, mode: mode)
    }
}

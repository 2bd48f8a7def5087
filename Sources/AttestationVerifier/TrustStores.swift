import Crypto
import Foundation
import MatterPKI

/// PAAs the verifier trusts, found by the PAI's AKID (= PAA SKID). Like the SDK's `FileAttestationTrustStore`,
/// a PAA that breaks the PAA format rules is not trusted; unlike it, the refusal is reported, not silent.
public struct PAATrustStore: Sendable {
    public private(set) var certificates: [ParsedCertificate] = []
    /// Files or certificates that were not taken, and why.
    public private(set) var rejected: [(source: String, reason: String)] = []

    public init(certificates: [ParsedCertificate]) {
        for c in certificates { add(c, source: "\(c.subject)") }
    }

    /// Every `*.der`, `*.pem`, `*.crt` or `*.cer` file directly in `directory` (not recursive).
    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for name in names where ["der", "pem", "crt", "cer"].contains((name as NSString).pathExtension.lowercased()) {
            let path = directory.appendingPathComponent(name).path
            do { add(try CertificateFile.read(path: path), source: path) } catch {
                rejected.append((path, error.description))
            }
        }
    }

    /// Adds a PAA (checked like those of a directory).
    public mutating func add(_ c: ParsedCertificate, source: String) {
        let facts = CertificateFacts(c, as: .paa)
        let format = VerificationStages.split(facts).format
        if let v = format.first {
            rejected.append((source, "not a valid PAA: \(v)"))
        } else if facts.skid?.count != 20 {
            rejected.append((source, "no 20-byte subjectKeyIdentifier"))
        } else {
            certificates.append(c)
        }
    }

    public func lookup(subjectKeyIdentifier skid: [UInt8]) -> ParsedCertificate? {
        certificates.first { $0.subjectKeyIdentifier == skid }
    }
}

/// Certification Declaration signing keys by key identifier (the CMS SignerInfo sid), as the SDK's
/// `CsaCdKeysTrustStore`: exact byte match of the identifier.
public struct CDSigningKeyStore: Sendable {
    /// The SDK's test CD signing key id (credentials/test/certification-declaration/Chip-Test-CD-Signing-Cert.pem).
    public static let testKeyID: [UInt8] = [UInt8](hex: "62FA823359ACFAA9963E1CFA140ADDF504F37160")!

    public private(set) var keys: [(id: [UInt8], key: P256.Signing.PublicKey, source: String)] = [] {
        didSet { keyBytes = keys.map { Array($0.key.x963Representation) } }
    }
    private var keyBytes: [[UInt8]] = []
    public private(set) var rejected: [(source: String, reason: String)] = []
    /// `IsCdTestKeySupported()`; the SDK's default is true.
    public var allowTestKey = true
    /// `kEnableCdTestKeysForProvisionalCds` (currently true in the SDK; issue #42460 plans to turn it off).
    public var allowTestKeyForProvisionalCDs = true

    /// Which certification types the test key may sign.
    public enum TestKeyPolicy: Sendable {
        /// The newest SDK (PRs #42464/#42600): development CDs, and provisional ones while allowed; any other
        /// certification_type signed by the test key is 601. matter-ca's default.
        case newestSDK
        /// SDK builds of mid-2025 (the sdk-judge wheel, sdk-verdicts.json): no restriction by certification_type.
        case sdk2025
    }
    public var testKeyPolicy: TestKeyPolicy = .newestSDK

    public init() {}

    public mutating func add(keyID: [UInt8], publicKey: P256.Signing.PublicKey, source: String = "in memory") {
        keys.append((keyID, publicKey, source))
    }

    /// Adds the key of a CD signing certificate; its id is the certificate's SKID.
    public mutating func add(certificate c: ParsedCertificate, source: String) {
        guard let key = c.publicKey.p256 else { rejected.append((source, "not a P-256 key: \(c.publicKey.summary)")); return }
        guard let skid = c.subjectKeyIdentifier else { rejected.append((source, "no subjectKeyIdentifier")); return }
        add(keyID: skid, publicKey: key, source: source)
    }

    /// Every certificate file directly in `directory`.
    public init(directory: URL) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        where ["der", "pem", "crt", "cer"].contains((name as NSString).pathExtension.lowercased()) {
            let path = directory.appendingPathComponent(name).path
            do { add(certificate: try CertificateFile.read(path: path), source: path) } catch {
                rejected.append((path, error.description))
            }
        }
    }

    public func lookup(keyID: [UInt8]) -> P256.Signing.PublicKey? { keys.first { $0.id == keyID }?.key }
    /// The key and its X9.63 bytes, encoded once when it was added (a CD cache compares keys by them per device).
    func lookupWithBytes(keyID: [UInt8]) -> (key: P256.Signing.PublicKey, bytes: [UInt8])? {
        guard let i = keys.firstIndex(where: { $0.id == keyID }) else { return nil }
        return (keys[i].key, keyBytes[i])
    }
    public static func isTestKey(_ id: [UInt8]) -> Bool { id == testKeyID }
}

public struct TrustStores: Sendable {
    public var paas: PAATrustStore
    public var cdKeys: CDSigningKeyStore
    public init(paas: PAATrustStore, cdKeys: CDSigningKeyStore) { self.paas = paas; self.cdKeys = cdKeys }
}

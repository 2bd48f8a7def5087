import Crypto
import Foundation
import MatterPKI

/// The SDK harness's trust configuration, assembled at test time from ../shared (never copied into the repo):
/// PAAs FFF1 and NoVID, the CSA CD signing certificates and the test CD signing certificate.
public enum SDKTrustFixtures {
    static var credentials: URL { SharedVectors.root.appendingPathComponent("credentials") }
    public static var paaNoVIDCert: URL { credentials.appendingPathComponent("test/attestation/Chip-Test-PAA-NoVID-Cert.pem") }
    public static var paaNoVIDKey: URL { credentials.appendingPathComponent("test/attestation/Chip-Test-PAA-NoVID-Key.pem") }
    public static var testCDCert: URL { credentials.appendingPathComponent("test/certification-declaration/Chip-Test-CD-Signing-Cert.pem") }
    public static var testCDKey: URL { credentials.appendingPathComponent("test/certification-declaration/Chip-Test-CD-Signing-Key.pem") }

    /// Directories `paa/` and `cd-keys/` under a fresh temporary directory.
    public static func directories() throws -> (paa: URL, cdKeys: URL) {
        let root = try CLI.tempDirectory("sdk-trust")
        let paa = root.appendingPathComponent("paa"), cd = root.appendingPathComponent("cd-keys")
        try FileManager.default.createDirectory(at: paa, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: cd, withIntermediateDirectories: true)
        for src in [SharedVectors.testPAAFFF1, paaNoVIDCert] {
            try FileManager.default.copyItem(at: src, to: paa.appendingPathComponent(src.lastPathComponent))
        }
        let cdCerts = credentials.appendingPathComponent("development/cd-certs")
        for name in try FileManager.default.contentsOfDirectory(atPath: cdCerts.path) {
            try FileManager.default.copyItem(at: cdCerts.appendingPathComponent(name), to: cd.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(at: testCDCert, to: cd.appendingPathComponent(testCDCert.lastPathComponent))
        return (paa, cd)
    }

    public static func privateKey(_ url: URL) throws -> P256.Signing.PrivateKey {
        try P256.Signing.PrivateKey(pemRepresentation: String(contentsOf: url, encoding: .utf8))
    }
}

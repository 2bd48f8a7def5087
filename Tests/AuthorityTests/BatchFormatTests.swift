import Crypto
import Foundation
import MatterPKI
import Testing
import TestSupport

/// `dac batch --format both|pem|der`: which files each device gets, what the manifest names, and a bad value refused
/// before anything is recorded.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct BatchFormatTests {
    static let batch = ["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", "20"]

    /// The device files of an output folder, by extension.
    static func deviceFiles(_ out: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix("dac-") }.sorted()
    }

    @Test(arguments: ["both", "pem", "der"]) func eachDeviceGetsTheFilesAsked(format: String) throws {
        let h = try DACBatchTests.home()
        let out = h.root.appendingPathComponent("out-\(format)")
        let r = try h.run(Self.batch + ["--out", out.path, "--format", format])
        #expect(r.status == 0, "\(r.output)")
        let files = try Self.deviceFiles(out)
        let pem = files.filter { $0.hasSuffix(".pem") }.count, der = files.filter { $0.hasSuffix(".der") }.count
        // Per device a certificate and a key file in each format asked for, nothing else.
        #expect(pem == (format == "der" ? 0 : 40) && der == (format == "pem" ? 0 : 40), "\(files.prefix(6))")
        let manifest = try DACBatchTests.manifest(out)
        #expect(manifest.count == 20)
        for item in manifest {
            let certName = item["certificate"] as! String, keyName = item["key"] as! String
            #expect(certName.hasSuffix(format == "der" ? ".der" : ".pem") && keyName.hasSuffix(format == "der" ? ".der" : ".pem"))
            let cert = try CertificateFile.read(path: out.appendingPathComponent(certName).path)
            let keyBytes = try Data(contentsOf: out.appendingPathComponent(keyName))
            let key = format == "der" ? try P256.Signing.PrivateKey(derRepresentation: keyBytes)
                : try P256.Signing.PrivateKey(pemRepresentation: String(decoding: keyBytes, as: UTF8.self))
            #expect(cert.publicKey.p256?.x963Representation == key.publicKey.x963Representation, "\(certName) and \(keyName)")
        }
    }

    @Test func anUnknownFormatIsRefusedAndChangesNothing() throws {
        let h = try DACBatchTests.home()
        let before = try h.ledgerState()
        let out = h.root.appendingPathComponent("out-xml")
        let r = try h.run(Self.batch + ["--out", out.path, "--format", "xml"])
        #expect(r.status == 2 && r.stderr.contains("--format xml: both, pem or der"), "\(r.output)")
        #expect(try h.ledgerState() == before)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}

import Crypto
import Foundation
import MatterPKI
import Testing
import TestSupport

/// A 20,000-DAC batch killed with SIGKILL at random moments, ten times, then resumed: exactly 20,000 distinct
/// serials, every output file's serial in the ledger, the audit chain intact.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct BatchCrashTests {
    @Test func killedBatchResumesWithoutDuplicates() throws {
        let h = try DACBatchTests.home()
        let out = h.root.appendingPathComponent("big")
        let args = ["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", "20000", "--out", out.path,
                    "--idempotency-key", "big-order"]
        for run in 0..<10 {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = args + (run == 0 ? [] : ["--resume"])
            p.environment = ProcessInfo.processInfo.environment.merging(h.environment) { _, b in b }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 300_000...2_500_000))
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
        let final = try h.run(args + ["--resume", "--json"])
        let resumedOrDone = final.status == 0 || final.stderr.contains("no interrupted batch")
        #expect(resumedOrDone, "\(final.output)")
        if final.status != 0 {   // the last killed run may have finished; then the same request returns the batch
            #expect(try h.run(args).status == 0)
        }
        let dacs = try h.json(["list", "dac"]) as! [[String: Any]]
        let serials = dacs.map { $0["serial"] as! String }
        #expect(serials.count == 20000 && Set(serials).count == 20000)
        let inLedger = Set(serials)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix("dac-") && $0.hasSuffix(".der") && !$0.hasPrefix("dac-key-") }
        #expect(files.count == 20000)
        for f in files { #expect(inLedger.contains(String(f.dropFirst(4).dropLast(4))), "\(f) is not in the ledger") }
        let keys = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix("dac-key-") && $0.hasSuffix(".pem") }
        #expect(keys.count == 20000, "every DAC delivered with its key")
        // What killed runs left between create and rename went with them; no partial file is under a final name.
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(".partial").path), "the partial files' folder is removed at the end")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.contains(".partial") }.isEmpty)
        let manifest = try DACBatchTests.manifest(out)
        #expect(manifest.count == 20000 && Set(manifest.map { $0["index"] as! Int }).count == 20000)
        // Every key is its certificate's key, those a killed run staged and a resume delivered included.
        var mismatched: [String] = []
        for item in manifest {
            let cert = try CertificateFile.read(path: out.appendingPathComponent(item["certificate"] as! String).path)
            let pem = try String(contentsOf: out.appendingPathComponent(item["key"] as! String), encoding: .utf8)
            let key = try P256.Signing.PrivateKey(pemRepresentation: pem)
            if cert.publicKey.p256?.x963Representation != key.publicKey.x963Representation { mismatched.append(item["serial"] as! String) }
        }
        #expect(mismatched.isEmpty, "keys that are not their certificate's: \(mismatched.prefix(5))")
        #expect(try h.run(["audit", "verify"]).status == 0)
    }
}

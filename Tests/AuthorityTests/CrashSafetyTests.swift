import Foundation
import MatterPKI
import Testing
import TestSupport

/// `pai issue` killed with SIGKILL at random moments: afterwards the audit chain verifies and every certificate
/// file on disk is in the ledger.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct CrashSafetyTests {
    @Test func killedCeremoniesLoseNothing() throws {
        let home = try TestHome()
        let (paa, _) = try home.ceremonies()
        // How long one issuance takes here, so the kills land before, during and after its steps.
        let start = Date()
        #expect(try home.run(["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "Timing"]).status == 0)
        let duration = Date().timeIntervalSince(start)
        var killed = 0
        for i in 0..<20 {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = ["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "Crash \(i)"]
            p.environment = ProcessInfo.processInfo.environment.merging(home.environment) { _, b in b }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(Double.random(in: 0...(duration * 1.1)) * 1_000_000))
            if p.isRunning { kill(p.processIdentifier, SIGKILL); killed += 1 }
            p.waitUntilExit()
        }
        #expect(killed >= 10, "most runs must be interrupted (\(killed) of 20)")
        let audit = try home.run(["audit", "verify"])
        #expect(audit.status == 0, "\(audit.output)")
        let ledgerSerials = Set(try (home.json(["list"]) as! [[String: String]]).map { $0["serial"]! })
        let dir = home.root.appendingPathComponent("certificates")
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".der") {
            let bytes = try Data(contentsOf: dir.appendingPathComponent(file))
            guard !bytes.isEmpty else { continue }   // a file being written when killed holds nothing to miss
            if let c = try? ParsedCertificate(der: Array(bytes)) {
                #expect(ledgerSerials.contains(c.serialHex), "\(file): serial \(c.serialHex) is not in the ledger")
            }
        }
        // The authority still works after the crashes.
        #expect(try home.run(["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "After"]).status == 0)
        #expect(try home.run(["audit", "verify"]).status == 0)
    }
}

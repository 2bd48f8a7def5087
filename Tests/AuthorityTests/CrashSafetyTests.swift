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
        // Timed warm (the second run), so the kills land before, during and after its steps.
        var duration = 0.0
        for t in 0..<2 {
            let start = Date()
            #expect(try home.run(["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "Timing \(t)"]).status == 0)
            duration = Date().timeIntervalSince(start)
        }
        var killed = 0, runs = 0
        // Until a dozen runs were killed mid-flight (a slow machine finishes some before the kill lands).
        for i in 0..<60 where killed < 12 {
            runs += 1
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = ["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "Crash \(i)"]
            p.environment = ProcessInfo.processInfo.environment.merging(home.environment) { _, b in b }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(Double.random(in: 0...duration) * 1_000_000))
            if p.isRunning { kill(p.processIdentifier, SIGKILL); killed += 1 }
            p.waitUntilExit()
        }
        #expect(killed >= 12, "a dozen runs must be interrupted (\(killed) of \(runs))")
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

    /// SoftHSM2 rewrites token.object in place on every login (truncate, then write); a kill between the two used to
    /// leave it empty and the token — every CA key in it — gone ("no PKCS#11 token labelled …"). The home keeps the
    /// last good copy and puts it back, and says so in the audit log.
    @Test func anEmptiedTokenStateFileIsRestoredAndRecorded() throws {
        let home = try TestHome()
        let (paa, _) = try home.ceremonies()
        let tokens = home.root.appendingPathComponent("tokens")
        let dirs = try FileManager.default.contentsOfDirectory(atPath: tokens.path)
        #expect(dirs.count == 1)
        let state = tokens.appendingPathComponent(dirs[0]).appendingPathComponent("token.object")
        #expect(FileManager.default.fileExists(atPath: state.path + ".matter-ca-backup"))
        // What a kill between SoftHSM2's truncate and write leaves.
        try Data().write(to: state)
        let listed = try home.run(["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "After restore"])
        #expect(listed.status == 0, "\(listed.output)")
        #expect(((try? Data(contentsOf: state)) ?? Data()).count > 0)
        let entries = try home.json(["audit", "list", "--action", "token.state-restored"]) as! [[String: String]]
        #expect(entries.count == 1)
        #expect(entries.first?["payload"]?.contains(dirs[0]) == true)
        #expect(try home.run(["audit", "verify"]).status == 0)
        // A later command has nothing to restore and records nothing more.
        #expect(try home.run(["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "Later"]).status == 0)
        #expect((try home.json(["audit", "list", "--action", "token.state-restored"]) as! [[String: String]]).count == 1)
    }

    /// Processes that open the token at the same moment all succeed (SoftHSM2 drops its lock between truncating and
    /// rewriting token.object at login, so an unserialised opener could read it empty: CKR_GENERAL_ERROR in CI), and
    /// publishers racing for a cRLNumber each get their own.
    @Test func concurrentProcessesOpenTheTokenAndPublishWithoutClashing() throws {
        let home = try TestHome()
        _ = try home.ceremonies()
        let runs = try (0..<6).map { _ in try CLI.start(["crl", "publish"], environment: home.environment, captureStderr: true) }
        let results = runs.map(CLI.finish)
        for (status, text) in results { #expect(status == 0, "\(text)") }
        let published = try home.json(["audit", "list", "--action", "crl.publish"]) as! [[String: String]]
        #expect(published.count == 12, "6 publications of 2 CRLs")
        // Six publications recorded, each with its own number per signer: the next one is the seventh.
        let next = try home.json(["crl", "publish"]) as! [[String: Any]]
        #expect(next.map { $0["number"] as? Int } == [7, 7], "\(next)")
        #expect(try home.run(["audit", "verify"]).status == 0)
    }
}

import Foundation
import Testing
import TestSupport

/// Failures found when matter-ca was tried as a new operator would, each provoked for real: nothing lost, nothing
/// half-done, every refusal leaves the ledger as it was.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct FaultInjectionTests {
    static let batch = ["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI"]

    /// The reproduction from the review: `ceremonies` replaced by a plain file. The PAI ceremony is refused before
    /// anything is recorded (it used to commit the PAI, then destroy its key).
    @Test func anUnwritableCeremonyFolderIsRefusedBeforeAnythingIsMade() throws {
        let h = try TestHome()
        let paa = try h.json(["paa", "create", "--cn", "Root"]) as! [String: Any]
        let ceremonies = h.root.appendingPathComponent("ceremonies")
        try FileManager.default.removeItem(at: ceremonies)
        try Data("not a folder".utf8).write(to: ceremonies)
        let before = try h.ledgerState()
        let r = try h.run(["pai", "issue", "--paa", paa["skid"] as! String, "--vid", "FFF1", "--cn", "FFF1 PAI"])
        #expect(r.status == 1 && r.stderr.contains("output location \(ceremonies.path): is a file, not a directory; nothing was recorded or signed"), "\(r.output)")
        #expect(try h.ledgerState() == before)
        try FileManager.default.removeItem(at: ceremonies)
        #expect(try h.run(["pai", "issue", "--paa", paa["skid"] as! String, "--vid", "FFF1", "--cn", "FFF1 PAI"]).status == 0)
        #expect(try h.run(["doctor"]).status == 0)
    }

    @Test func aBatchIntoAFileIsRefusedAndChangesNothing() throws {
        let h = try DACBatchTests.home()
        let file = h.root.appendingPathComponent("passwd")
        try Data("root:x:0:0".utf8).write(to: file)
        let before = try h.ledgerState()
        let r = try h.run(Self.batch + ["--count", "3", "--out", file.path])
        #expect(r.status == 1 && r.stderr == "matter-ca: output location \(file.path): is a file, not a directory; nothing was recorded or signed\n", "\(r.output)")
        #expect(try h.ledgerState() == before)
        #expect(try String(contentsOf: file, encoding: .utf8) == "root:x:0:0")
    }

    /// A link planted where the batch makes its partial files (`<out>/.partial`): refused before anything is
    /// recorded, never followed.
    @Test func aPlantedPartialFolderLinkIsRefusedAndChangesNothing() throws {
        let h = try DACBatchTests.home()
        let out = h.root.appendingPathComponent("out")
        let elsewhere = h.root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: out.path + "/.partial", withDestinationPath: elsewhere.path)
        let before = try h.ledgerState()
        let r = try h.run(Self.batch + ["--count", "3", "--out", out.path])
        #expect(r.status == 1 && r.stderr == "matter-ca: output location \(out.path): \(out.path)/.partial is not a directory of this user: remove it; nothing was recorded or signed\n", "\(r.output)")
        #expect(try h.ledgerState() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        try FileManager.default.removeItem(atPath: out.path + "/.partial")
        #expect(try h.run(Self.batch + ["--count", "3", "--out", out.path]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: out.path + "/.partial"))
    }

    @Test(.enabled(if: Mounts.available, Mounts.unavailable)) func aReadOnlyOutputIsRefusedAndChangesNothing() throws {
        let h = try DACBatchTests.home()
        let ro = try Mounts.tmpfs(size: "64k", readOnly: true)
        defer { Mounts.unmount(ro) }
        let before = try h.ledgerState()
        let r = try h.run(Self.batch + ["--count", "3", "--out", ro.path])
        #expect(r.status == 1 && r.stderr.contains("output location \(ro.path): is not writable (Read-only file system)"), "\(r.output)")
        #expect(try h.ledgerState() == before)
    }

    /// A disk that fills up in the middle of a batch: the batch stops with a precise error, nothing delivered is
    /// outside the ledger, and it completes once there is space again.
    @Test(.enabled(if: Mounts.available, Mounts.unavailable)) func aFullDiskStopsTheBatchAndResumeCompletesIt() throws {
        let h = try DACBatchTests.home()
        let disk = try Mounts.tmpfs(size: "600k")
        defer { Mounts.unmount(disk) }
        let args = Self.batch + ["--count", "1500", "--out", disk.path, "--idempotency-key", "enospc"]
        let r = try h.run(args)
        #expect(r.status == 1 && r.stderr.contains("No space left on device") && r.stderr.contains("--resume"), "\(r.output)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain"))
        let inLedger = Set((try h.json(["list", "dac"]) as! [[String: Any]]).map { $0["serial"] as! String })
        #expect(inLedger.count < 1500)
        let delivered = try FileManager.default.contentsOfDirectory(atPath: disk.path).filter { $0.hasPrefix("dac-") && !$0.hasPrefix("dac-key-") && !$0.contains(".partial") }
        for f in delivered { #expect(inLedger.contains(String(f.dropFirst(4).prefix { $0 != "." })), "\(f) left without a ledger record") }
        try Mounts.resize(disk, size: "64m")
        let resumed = try h.run(args + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect((try h.json(["list", "dac"]) as! [Any]).count == 1500)
        #expect(try DACBatchTests.manifest(disk).allSatisfy { $0["key"] is String })
        #expect(try h.run(["audit", "verify"]).status == 0)
    }

    /// Two `--resume` runs of one batch at once: one issues, the other is told the batch is taken; never twice.
    @Test func twoResumesOfOneBatchNeverIssueTwice() throws {
        let h = try DACBatchTests.home()
        let out = h.root.appendingPathComponent("twice")
        let args = Self.batch + ["--count", "6000", "--out", out.path, "--idempotency-key", "twice"]
        let first = try CLI.start(args, environment: h.environment)
        usleep(1_200_000)
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let a = try CLI.start(args + ["--resume"], environment: h.environment, captureStderr: true)
        let b = try CLI.start(args + ["--resume"], environment: h.environment, captureStderr: true)
        let (ra, rb) = (CLI.finish(a), CLI.finish(b))
        let outputs = ra.1 + rb.1
        #expect(ra.0 == 0 || rb.0 == 0, "\(outputs)")
        #expect(!outputs.contains("serial number already used"), "\(outputs)")
        for (status, text) in [ra, rb] where status != 0 {
            #expect(text.contains("is being issued by") || text.contains("no interrupted batch"), "\(text)")
        }
        let serials = (try h.json(["list", "dac"]) as! [[String: Any]]).map { $0["serial"] as! String }
        #expect(serials.count == 6000 && Set(serials).count == 6000)
        #expect(try h.run(["audit", "verify"]).status == 0)
    }

    /// A CA key deleted from the token behind the authority's back: doctor names it.
    @Test func doctorPassesOnAHealthyHomeAndNamesADeletedKey() throws {
        let h = try TestHome()
        let (_, pai) = try h.ceremonies()
        let ok = try h.run(["doctor", "--json"])
        #expect(ok.status == 0, "\(ok.output)")
        _ = try h.pkcs11Tool(["--delete-object", "--type", "privkey", "--id", pai])
        let r = try h.run(["doctor"])
        #expect(r.status == 1 && r.stdout.contains("FAIL key PAI \"Test PAI\": CKA_ID \(pai): no private key with CKA_ID \(pai) on the token"), "\(r.output)")
        #expect(r.stdout.contains("ok   key PAA \"Test PAA\""))
    }

    /// The audit log's tail deleted with the triggers dropped: the signed checkpoint says what is missing.
    @Test func aTruncatedAuditLogIsCaughtAgainstTheSignedCheckpoint() throws {
        let h = try TestHome()
        _ = try h.ceremonies()
        let db = h.root.appendingPathComponent("ledger.sqlite").path
        #expect(try CLI.exec("sqlite3", [db, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 4;"]).status == 0)
        let r = try h.run(["audit", "verify"])
        #expect(r.status == 1 && r.stderr.contains("but the log ends at entry 3: entries 4…5 were deleted"), "\(r.output)")
        let json = try JSONSerialization.jsonObject(with: Data(try h.run(["audit", "verify", "--json"]).stdout.utf8)) as! [String: Any]
        #expect(json["entries"] as? Int == 3 && json["checkpointSignaturesChecked"] as? Bool == true)
    }

    @Test func dataErrorsInAuthorizationAreNotUnknownVendors() throws {
        let h = try DACBatchTests.home()
        #expect(try CLI.exec("sqlite3", [h.root.appendingPathComponent("ledger.sqlite").path, "DROP TABLE vendor_products;"]).status == 0)
        let r = try h.run(Self.batch + ["--count", "1", "--out", h.root.appendingPathComponent("o").path])
        #expect(r.status == 1 && r.stderr.contains("no such table: vendor_products") && !r.stderr.contains("unknownVendor"), "\(r.output)")
    }

    /// PINs leave the process environment once read: neither /proc/<pid>/environ nor a child sees them.
    @Test func thePINIsWipedFromTheProcessEnvironment() throws {
        let h = try DACBatchTests.home()
        let p = try CLI.start(Self.batch + ["--count", "20000", "--out", h.root.appendingPathComponent("env").path], environment: h.environment)
        usleep(800_000)
        let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(p.process.processIdentifier)/environ"))) ?? Data()
        kill(p.process.processIdentifier, SIGKILL)
        p.process.waitUntilExit()
        #expect(!environ.isEmpty)
        #expect(String(decoding: environ, as: UTF8.self).range(of: h.pin) == nil)
    }

    @Test func anExistingHomeIsMadeTheOwnersOnly() throws {
        let dir = try CLI.tempDirectory("existing")
        chmod(dir.path, 0o755)
        let h = TestHome(root: dir)
        #expect(try h.run(["init"]).status == 0)
        for (path, mode) in [(dir.path, 0o700), (dir.appendingPathComponent("ledger.sqlite").path, 0o600), (dir.appendingPathComponent("authority.json").path, 0o600)] {
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == mode, "\(path)")
        }
    }
}

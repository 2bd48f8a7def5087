import Foundation
import MatterPKI
import Testing
import TestSupport

/// DAC batches against a real SoftHSM2 token, checked with openssl as the independent verifier.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct DACBatchTests {
    static func home(ledgerURL: String? = nil) throws -> TestHome {
        let h = try VendorRegistryTests.home(ledgerURL: ledgerURL)
        #expect(try h.run(["vendor", "import", VendorRegistryTests.examples.path]).status == 0)
        return h
    }

    static func manifest(_ dir: URL) throws -> [[String: Any]] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("manifest.json"))) as! [String: Any]
        return json["items"] as! [[String: Any]]
    }

    /// openssl makes the device CSRs: an independent PKCS#10 implementation.
    static func csrs(_ n: Int, in dir: URL, curve: String = "prime256v1") throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for i in 0..<n {
            let r = try CLI.exec("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-nodes",
                                             "-keyout", dir.appendingPathComponent("device-\(i).key").path, "-subj", "/CN=Device \(i)/O=Ignored",
                                             "-out", dir.appendingPathComponent("device-\(i).csr").path])
            #expect(r.status == 0, "\(r.output)")
        }
        for i in 0..<n { try FileManager.default.removeItem(at: dir.appendingPathComponent("device-\(i).key")) }
    }

    static func verifyAll(_ out: URL, count: Int) throws {
        let items = try manifest(out)
        #expect(items.count == count)
        let files = items.map { out.appendingPathComponent($0["certificate"] as! String).path }
        let v = try CLI.exec("openssl", ["verify", "-x509_strict", "-CAfile", out.appendingPathComponent("paa.pem").path,
                                         "-untrusted", out.appendingPathComponent("pai.pem").path] + files)
        #expect(v.status == 0 && v.stdout.components(separatedBy: ": OK").count - 1 == count, "\(v.output)")
        let paa = try CertificateFile.read(path: out.appendingPathComponent("paa.pem").path)
        let pai = try CertificateFile.read(path: out.appendingPathComponent("pai.pem").path)
        for f in files {
            let dac = try CertificateFile.read(path: f)
            let violations = MatterProfile.lintChain(paa: paa, pai: pai, dac: dac, policy: .issuance)
            #expect(violations.isEmpty, "\(f): \(violations)")
        }
    }

    @Test func batchFromCSRsTrustsNoSubjectFromTheDevice() throws {
        let h = try Self.home()
        let csrDir = h.root.appendingPathComponent("csrs"), out = h.root.appendingPathComponent("out")
        try Self.csrs(6, in: csrDir)
        let r = try h.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8003", "--pai", "FFF1 PAI", "--csr-dir", csrDir.path, "--out", out.path, "--json"])
        #expect(r.status == 0, "\(r.output)")
        try Self.verifyAll(out, count: 6)
        for item in try Self.manifest(out) {
            let dac = try CertificateFile.read(path: out.appendingPathComponent(item["certificate"] as! String).path)
            #expect(!"\(dac.subject)".contains("Device") && !"\(dac.subject)".contains("O="), "the template decides the DN: \(dac.subject)")
            #expect(try dac.matterVIDPID() == MatterVIDPID(vid: VendorID(0xFFF1), pid: ProductID(0x8003), source: .attributes))
            #expect((item["csrFile"] as! String).hasPrefix("device-"))
        }
        let csv = try String(contentsOf: out.appendingPathComponent("manifest.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("index,serial,vid,pid,skid,sha256,csr_file,certificate,key\r\n") && csv.split(separator: "\r\n").count == 7)
    }

    @Test func batchWithGeneratedKeysDeliversMatchingKeys() throws {
        let h = try Self.home()
        let out = h.root.appendingPathComponent("gen")
        let r = try h.run(["dac", "batch", "--vendor", "FFF2", "--pid", "8100", "--pai", "FFF2 PAI", "--count", "8", "--out", out.path])
        #expect(r.status == 0, "\(r.output)")
        try Self.verifyAll(out, count: 8)
        for item in try Self.manifest(out) {
            let key = out.appendingPathComponent(item["key"] as! String).path
            let fromKey = try CLI.exec("openssl", ["pkey", "-in", key, "-pubout"])
            let fromCert = try CLI.exec("openssl", ["x509", "-in", out.appendingPathComponent(item["certificate"] as! String).path, "-noout", "-pubkey"])
            #expect(fromKey.status == 0 && fromKey.stdout == fromCert.stdout)
            #expect((try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int) == 0o600)
        }
        // Keys are never stored in the ledger.
        let keyText = try String(contentsOf: out.appendingPathComponent(try Self.manifest(out)[0]["key"] as! String), encoding: .utf8)
        let body = keyText.split(separator: "\n").dropFirst().first.map(String.init) ?? "x"
        #expect(try CLI.exec("grep", ["-c", body, h.root.appendingPathComponent("ledger.sqlite").path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // dac show and list dac filters.
        let serial = try Self.manifest(out)[0]["serial"] as! String
        #expect(try h.run(["dac", "show", serial]).stdout.contains("CN=DAC FFF2/8100, VID=FFF2, PID=8100"))
        let batchID = (try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as! [String: Any])["batch"] as! String
        #expect((try h.json(["list", "dac", "--vendor", "FFF2", "--batch", batchID]) as! [Any]).count == 8)
        #expect((try h.json(["list", "dac", "--vendor", "FFF1"]) as! [Any]).isEmpty)
    }

    @Test func unauthorizedRequestsAreRefusedAndChangeNothing() throws {
        let h = try Self.home()
        let before = try h.ledgerState()
        for (args, message) in [
            (["--vendor", "FFF2", "--pid", "8000", "--pai", "FFF1 PAI"], "pidNotAllowedForVendor"),
            (["--vendor", "FFF1", "--pid", "8000", "--pai", "FFF2 PAI"], "paiDoesNotServeVendor"),
            (["--vendor", "FFF3", "--pid", "8000", "--pai", "FFF1 PAI"], "unknownVendor"),
            (["--vendor", "FFF1", "--pid", "9000", "--pai", "FFF1 PAI"], "pidNotAllowedForVendor"),
            (["--vendor", "FFF1", "--pid", "8000", "--pai", "Nope"], "unknownPAI"),
        ] {
            let r = try h.run(["dac", "batch"] + args + ["--count", "3", "--out", h.root.appendingPathComponent("x").path])
            #expect(r.status == 1 && r.stderr.contains(message), "\(args): \(r.output)")
        }
        let big = try h.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", "101", "--max-batch-size", "100", "--out", h.root.appendingPathComponent("x").path])
        #expect(big.status == 1 && big.stderr.contains("a batch of 101 DACs exceeds the maximum of 100; nothing was signed"))
        #expect(try h.ledgerState() == before)
        #expect(!FileManager.default.fileExists(atPath: h.root.appendingPathComponent("x").path))
    }

    @Test func badCSRsRefuseTheWholeBatch() throws {
        let h = try Self.home()
        let dir = h.root.appendingPathComponent("bad")
        try Self.csrs(3, in: dir)
        // A CSR whose signature is broken (the last byte of the DER signature flipped).
        let good = try CLI.exec("openssl", ["req", "-in", dir.appendingPathComponent("device-0.csr").path, "-outform", "der"])
        _ = good
        let derFile = h.root.appendingPathComponent("d.der")
        #expect(try CLI.exec("openssl", ["req", "-in", dir.appendingPathComponent("device-0.csr").path, "-outform", "der", "-out", derFile.path]).status == 0)
        var der = try Data(contentsOf: derFile)
        der[der.count - 1] ^= 0x01
        try der.write(to: dir.appendingPathComponent("tampered.der"))
        let p384 = h.root.appendingPathComponent("p384")
        try Self.csrs(1, in: p384, curve: "secp384r1")
        try FileManager.default.copyItem(at: p384.appendingPathComponent("device-0.csr"), to: dir.appendingPathComponent("p384.csr"))
        #expect(try CLI.exec("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", h.root.appendingPathComponent("rsa.key").path,
                                         "-subj", "/CN=rsa", "-out", dir.appendingPathComponent("rsa.csr").path]).status == 0)
        try Data("garbage bytes, not a CSR".utf8).write(to: dir.appendingPathComponent("garbage.der"))
        let before = try h.ledgerState()
        let r = try h.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--csr-dir", dir.path, "--out", h.root.appendingPathComponent("o").path])
        #expect(r.status == 1)
        for (file, reason) in [("tampered.der", "signature does not verify"), ("p384.csr", "not P-256 (P-384)"), ("rsa.csr", "not P-256 (RSA)"),
                               ("garbage.der", "not a PKCS#10 certificate request")] {
            #expect(r.stderr.contains("\(file): the") || r.stderr.contains("\(file): \(reason)") || r.stderr.contains(file), "\(file)")
            #expect(r.stderr.contains(reason), "\(file): \(r.stderr)")
        }
        #expect(r.stderr.contains("4 CSR(s) are not acceptable") && !r.stderr.contains("device-1.csr"))
        #expect(try h.ledgerState() == before)
    }

    @Test func idempotencyKeysReturnTheSameCertificates() throws {
        let h = try Self.home()
        let args = ["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", "5"]
        let a = h.root.appendingPathComponent("a"), b = h.root.appendingPathComponent("b"), c = h.root.appendingPathComponent("c")
        #expect(try h.run(args + ["--out", a.path, "--idempotency-key", "order-1"]).status == 0)
        let again = try h.run(args + ["--out", b.path, "--idempotency-key", "order-1"])
        #expect(again.status == 0 && again.stdout.contains("already issued"))
        #expect(try Self.manifest(a).map { $0["serial"] as! String } == Self.manifest(b).map { $0["serial"] as! String })
        #expect(try h.run(args + ["--out", c.path, "--idempotency-key", "order-2"]).status == 0)
        #expect(Set(try Self.manifest(a).map { $0["serial"] as! String }).isDisjoint(with: try Self.manifest(c).map { $0["serial"] as! String }))
        let conflict = try h.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", "6", "--out", c.path, "--idempotency-key", "order-1"])
        #expect(conflict.status == 1 && conflict.stderr.contains("was used for a different request"))
        #expect((try h.json(["list", "dac"]) as! [Any]).count == 10)
    }

    @Test func resumeNeedsAnInterruptedBatchAndAnInterruptedBatchNeedsResume() throws {
        let h = try Self.home()
        let out = h.root.appendingPathComponent("r")
        let args = ["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", "5000", "--out", out.path]
        let before = try h.ledgerState()
        let noKey = try h.run(args + ["--resume"])
        #expect(noKey.status == 1 && noKey.stderr.contains("--resume needs --idempotency-key"))
        let unknown = try h.run(args + ["--resume", "--idempotency-key", "never-used"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no interrupted batch has idempotency key \"never-used\""))
        let neither = try h.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--out", out.path])
        #expect(neither.status == 2 && neither.stderr.contains("give exactly one of --csr-dir, --csr-file, --count"))
        #expect(try h.ledgerState() == before)

        // Interrupt one for real, then ask again without --resume: refused, nothing signed, then --resume completes it.
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args + ["--idempotency-key", "interrupted"]
        p.environment = ProcessInfo.processInfo.environment.merging(h.environment) { _, b in b }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(700_000)
        guard p.isRunning else { p.waitUntilExit(); return }   // finished before the kill on a very fast machine
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let interrupted = try h.ledgerState()
        let again = try h.run(args + ["--idempotency-key", "interrupted"])
        #expect(again.status == 1 && again.stderr.contains("batch \"interrupted\" was interrupted; run the same request with --resume"))
        #expect(try h.ledgerState() == interrupted)
        #expect(try h.run(args + ["--idempotency-key", "interrupted", "--resume"]).status == 0)
        #expect(try Self.manifest(out).count == 5000)
    }

    /// The generated-key output plugs into Espressif's factory tool (esp-matter-mfg-tool from PyPI): the default
    /// files, and the PEM-only output a factory feeding it asks for.
    @Test(arguments: [[], ["--format", "pem"]]) func espMatterMfgToolAcceptsADACAndKey(format: [String]) throws {
        let tool = SharedVectors.packageRoot.appendingPathComponent(".venv-tools/bin/esp-matter-mfg-tool")
        try #require(FileManager.default.isExecutableFile(atPath: tool.path), "esp-matter-mfg-tool is not installed in .venv-tools (scripts/test installs it)")
        let h = try Self.home()
        let out = h.root.appendingPathComponent("esp")
        #expect(try h.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", "1", "--out", out.path] + format).status == 0)
        let item = try Self.manifest(out)[0]
        #expect(try CLI.exec("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", h.root.appendingPathComponent("cd-key.pem").path]).status == 0)
        #expect(try CLI.run(["dev", "cd", "--vid", "FFF1", "--pid", "8000", "--signing-key", h.root.appendingPathComponent("cd-key.pem").path,
                             "--out", h.root.appendingPathComponent("cd.der").path]).status == 0)
        let r = try CLI.exec(tool.path, ["-v", "0xFFF1", "-p", "0x8000", "--pai", "-c", out.appendingPathComponent("pai.pem").path,
                                         "--dac-cert", out.appendingPathComponent(item["certificate"] as! String).path,
                                         "--dac-key", out.appendingPathComponent(item["key"] as! String).path,
                                         "-cd", h.root.appendingPathComponent("cd.der").path, "--outdir", h.root.appendingPathComponent("mfg").path,
                                         "--target", "esp32", "--passcode", "20202021", "--discriminator", "3840"], cwd: h.root)
        #expect(r.status == 0, "\(r.output)")
        let generated = try CLI.exec("find", [h.root.appendingPathComponent("mfg").path, "-name", "DAC_cert.der"]).stdout
        #expect(!generated.isEmpty)
    }
}

import Foundation
import MatterPKI
import Testing
import TestSupport

/// `matter-ca dev chain` driven as a user would, checked by openssl (an independent verifier), the project's lint,
/// and, where installed, the Matter SDK itself.
@Suite struct DevChainCLITests {
    static let variants: [(String, [String])] = [
        ("PAA without VID, attributes", []),
        ("VID-scoped PAA, PAI with PID", ["--paa-vid", "--pai-pid"]),
        ("CN fallback encoding", ["--vid-pid-as-cn"]),
        ("CN fallback, VID-scoped PAA, PAI with PID", ["--vid-pid-as-cn", "--paa-vid", "--pai-pid"]),
    ]

    @Test(arguments: variants.indices)
    func devChainVerifiesWithOpenSSLAndLint(_ i: Int) throws {
        let (label, flags) = Self.variants[i]
        let dir = try CLI.tempDirectory("devchain")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["dev", "chain", "--vid", "FFF1", "--pid", "8000", "--out", dir.path] + flags)
        #expect(r.status == 0, "\(label): \(r.output)")
        #expect(r.stdout.contains("DEVELOPMENT ONLY"))

        let v = try CLI.exec("openssl", ["verify", "-x509_strict", "-CAfile", "paa.pem", "-untrusted", "pai.pem", "dac.pem"], cwd: dir)
        #expect(v.status == 0 && v.stdout.contains("dac.pem: OK"), "\(label): openssl: \(v.output)")

        let lint = try CLI.run(["lint", "dac.pem", "--as", "dac", "--issuer", "pai.pem", "--root", "paa.pem", "--strict"], cwd: dir)
        #expect(lint.status == 0, "\(label): \(lint.output)")
        for (file, type) in [("paa.der", "paa"), ("pai.der", "pai"), ("dac.der", "dac")] {
            let l = try CLI.run(["lint", file, "--as", type], cwd: dir)
            #expect(l.status == 0, "\(label) \(file): \(l.output)")
        }

        // Keys: named development-only, private to the owner, and matching their certificates (openssl compares).
        for name in ["paa", "pai", "dac"] {
            let key = dir.appendingPathComponent("\(name)-key-DEVELOPMENT-ONLY.pem")
            let mode = try FileManager.default.attributesOfItem(atPath: key.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let fromKey = try CLI.exec("openssl", ["pkey", "-in", key.path, "-pubout"])
            let fromCert = try CLI.exec("openssl", ["x509", "-in", dir.appendingPathComponent("\(name).pem").path, "-noout", "-pubkey"])
            #expect(fromKey.status == 0 && fromKey.stdout == fromCert.stdout, "\(name) key does not match its certificate")
        }

        // The PAA carries a VID only when asked.
        let paa = try CertificateFile.read(path: dir.appendingPathComponent("paa.der").path)
        #expect((try paa.matterVIDPID().vid != nil) == flags.contains("--paa-vid"))

        if SharedVectors.available && SDKJudge.installed {
            let read = { (n: String) in try Data(contentsOf: dir.appendingPathComponent("\(n).der")) }
            let verdict = try SDKJudge.judgeChains([(Array(try read("paa")), Array(try read("pai")), Array(try read("dac")))])
            #expect(verdict.first?.ok == true, "the Matter SDK rejects the dev chain: \(verdict.first?.problems ?? [])")
        }
    }

    @Test func devChainRefusesToOverwrite() throws {
        let dir = try CLI.tempDirectory("devchain-overwrite")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CLI.run(["dev", "chain", "--vid", "FFF1", "--pid", "8000", "--out", dir.path]).status == 0)
        let before = try Data(contentsOf: dir.appendingPathComponent("paa.der"))
        let again = try CLI.run(["dev", "chain", "--vid", "FFF1", "--pid", "8000", "--out", dir.path])
        #expect(again.status == 1 && again.stderr.contains("refusing to overwrite"))
        #expect(try Data(contentsOf: dir.appendingPathComponent("paa.der")) == before)
    }

    @Test(arguments: [
        (["dev", "chain", "--vid", "GGGG", "--pid", "8000", "--out", "/tmp/x"], "--vid GGGG is not a 16-bit hex value"),
        (["dev", "chain", "--vid", "FFF1", "--out", "/tmp/x"], "Missing expected argument '--pid"),
        (["dev", "chain", "--vid", "FFF1", "--pid", "0", "--out", "/tmp/matter-ca-pid0"], "PID 0x0000 is not a product"),
        (["lint", "/nonexistent.pem", "--as", "dac"], "/nonexistent.pem: cannot read"),
        (["lint", "x.pem", "--as", "root"], "root"),
    ] as [([String], String)])
    func usageAndInputErrorsArePrecise(_ args: [String], _ message: String) throws {
        let r = try CLI.run(args)
        #expect(r.status == (message.contains("PID 0x0000") ? 1 : 2), "\(args): \(r.status) \(r.output)")
        #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
    }
}

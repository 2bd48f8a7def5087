import AttestationVerifier
import Foundation
import MatterPKI
import Testing
import TestSupport

/// The whole device-attestation flow with the CLI only: `dev chain`, `dev cd`, `dev attest`, `verify`; then the
/// same flow broken one way at a time, each with its exact result code.
@Suite struct VerifyCLITests {
    struct Lab {
        let dir: URL
        let nonce = (0..<32).map { _ in UInt8.random(in: 0...255) }.hexString
        let challenge = (0..<16).map { _ in UInt8.random(in: 0...255) }.hexString
        func path(_ n: String) -> String { dir.appendingPathComponent(n).path }

        init() throws {
            dir = try CLI.tempDirectory("verify-cli")
            for d in ["chain", "paa-store", "cd-keys", "empty-store"] {
                try FileManager.default.createDirectory(at: dir.appendingPathComponent(d), withIntermediateDirectories: true)
            }
            try check(CLI.run(["dev", "chain", "--vid", "FFF1", "--pid", "8000", "--out", path("chain")]))
            try FileManager.default.copyItem(atPath: path("chain/paa.der"), toPath: path("paa-store/paa.der"))
            // A test lab's CD signing key and certificate, made by openssl (an independent tool).
            try check(CLI.exec("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("cd-key.pem")]))
            try check(CLI.exec("openssl", ["req", "-x509", "-new", "-key", path("cd-key.pem"), "-subj", "/CN=Lab CD Signer", "-days", "30",
                                           "-addext", "subjectKeyIdentifier=hash", "-out", path("cd-keys/lab-cd.pem")]))
        }

        func check(_ r: CLI.Result) throws {
            guard r.status == 0 else { throw CLIFailure(output: r.output) }
        }
        struct CLIFailure: Error { let output: String }

        func makeCD(_ name: String, _ extra: [String] = []) throws {
            try check(CLI.run(["dev", "cd", "--vid", "FFF1", "--pid", "8000", "--signing-key", path("cd-key.pem"),
                               "--signing-cert", path("cd-keys/lab-cd.pem"), "--out", path(name)] + extra))
        }

        func attest(cd: String, out: String) throws {
            try check(CLI.run(["dev", "attest", "--dac-key", path("chain/dac-key-DEVELOPMENT-ONLY.pem"), "--cd", path(cd),
                               "--nonce", nonce, "--challenge", challenge, "--out", path(out)]))
        }

        func verify(cd: String = "cd.der", att: String = "att", nonce n: String? = nil, pid: String = "8000",
                    store: String = "paa-store", extra: [String] = []) throws -> (code: Int, status: Int32, reason: String) {
            let r = try CLI.run(["verify", "--dac", path("chain/dac.pem"), "--pai", path("chain/pai.pem"), "--cd", path(cd),
                                 "--elements", path("\(att)/elements.tlv"), "--signature", path("\(att)/signature.bin"),
                                 "--nonce", n ?? nonce, "--challenge", challenge, "--vid", "FFF1", "--pid", pid,
                                 "--paa-store", path(store), "--cd-keys", path("cd-keys"), "--json"] + extra)
            let json = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
            return (json?["code"] as? Int ?? -1, r.status, (json?["reason"] as? String) ?? r.output)
        }
    }

    @Test func devFlowVerifiesAndEachBreakHasItsCode() throws {
        let lab = try Lab()
        defer { try? FileManager.default.removeItem(at: lab.dir) }
        try lab.makeCD("cd.der")
        try lab.attest(cd: "cd.der", out: "att")
        let ok = try lab.verify()
        #expect(ok.code == 0 && ok.status == 0, "\(ok.reason)")

        #expect(try lab.verify(nonce: String(repeating: "00", count: 32)).code == 502)
        var sig = try Data(contentsOf: URL(fileURLWithPath: lab.path("att/signature.bin")))
        sig[7] ^= 0x01
        try FileManager.default.createDirectory(atPath: lab.path("att-bad"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: lab.path("att/elements.tlv"), toPath: lab.path("att-bad/elements.tlv"))
        try sig.write(to: URL(fileURLWithPath: lab.path("att-bad/signature.bin")))
        #expect(try lab.verify(att: "att-bad").code == 500)
        #expect(try lab.verify(pid: "8001").code == 605)
        #expect(try lab.verify(store: "empty-store").code == 101)

        try lab.check(CLI.run(["dev", "cd", "--vid", "FFF2", "--pid", "8000", "--signing-key", lab.path("cd-key.pem"),
                               "--signing-cert", lab.path("cd-keys/lab-cd.pem"), "--out", lab.path("cd-fff2.der")]))
        try lab.attest(cd: "cd-fff2.der", out: "att-fff2")
        #expect(try lab.verify(cd: "cd-fff2.der", att: "att-fff2").code == 604)

        // An authorized PAA list naming another PAA.
        try lab.check(CLI.run(["dev", "chain", "--vid", "FFF1", "--pid", "8000", "--out", lab.path("other")]))
        try lab.makeCD("cd-paa.der", ["--authorized-paa", lab.path("other/paa.pem")])
        try lab.attest(cd: "cd-paa.der", out: "att-paa")
        let v606 = try lab.verify(cd: "cd-paa.der", att: "att-paa")
        #expect(v606.code == 606, "\(v606.reason)")
        try lab.makeCD("cd-paa-ok.der", ["--authorized-paa", lab.path("other/paa.pem"), "--authorized-paa", lab.path("chain/paa.pem")])
        try lab.attest(cd: "cd-paa-ok.der", out: "att-paa-ok")
        #expect(try lab.verify(cd: "cd-paa-ok.der", att: "att-paa-ok").code == 0)

        // Revocation sets as files.
        let paa = try CertificateFile.read(path: lab.path("chain/paa.der"))
        let pai = try CertificateFile.read(path: lab.path("chain/pai.der"))
        let dac = try CertificateFile.read(path: lab.path("chain/dac.der"))
        func entry(_ revoked: ParsedCertificate, _ issuer: ParsedCertificate) -> RevocationSet.Entry {
            RevocationSet.Entry(issuerSubjectKeyID: issuer.subjectKeyIdentifier!.hexString, issuerName: Data(issuer.subject.der).base64EncodedString(),
                                revokedSerialNumbers: [revoked.serialHex], crlSignerCert: Data(issuer.der).base64EncodedString())
        }
        for (name, entries, code) in [("dac", [entry(dac, pai)], 302), ("pai", [entry(pai, paa)], 202), ("both", [entry(dac, pai), entry(pai, paa)], 208)] {
            let file = lab.path("revocation-\(name).json")
            try JSONEncoder().encode(entries).write(to: URL(fileURLWithPath: file))
            let v = try lab.verify(extra: ["--revocation-set", file])
            #expect(v.code == code, "\(name): \(v.reason)")
        }
        // A CD whose signing key nobody trusts.
        try lab.check(CLI.exec("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", lab.path("rogue.pem")]))
        try lab.check(CLI.run(["dev", "cd", "--vid", "FFF1", "--pid", "8000", "--signing-key", lab.path("rogue.pem"), "--out", lab.path("cd-rogue.der")]))
        try lab.attest(cd: "cd-rogue.der", out: "att-rogue")
        #expect(try lab.verify(cd: "cd-rogue.der", att: "att-rogue").code == 601)
    }

    @Test func badInputIsExitTwo() throws {
        let lab = try Lab()
        defer { try? FileManager.default.removeItem(at: lab.dir) }
        let r = try CLI.run(["verify", "--dac", lab.path("chain/dac.pem"), "--paa-store", lab.path("paa-store")])
        #expect(r.status == 2 && r.stderr.contains("--elements is required (or give --vector)"))
        let bad = try CLI.run(["verify", "--vector", lab.path("nope.json"), "--paa-store", lab.path("paa-store")])
        #expect(bad.status == 2 && bad.stderr.contains("cannot read"))
        try Data("{".utf8).write(to: URL(fileURLWithPath: lab.path("bad.json")))
        let badSet = try CLI.run(["verify", "--vector", lab.path("bad.json"), "--paa-store", lab.path("paa-store"), "--revocation-set", lab.path("bad.json")])
        #expect(badSet.status == 2 && badSet.stderr.contains("not a Matter revocation set"))
        let cdOut = try CLI.run(["dev", "cd", "--vid", "FFF1", "--pid", "8000", "--certificate-id", "SHORT", "--signing-key", lab.path("cd-key.pem"), "--out", lab.path("x.der")])
        #expect(cdOut.status == 1 && cdOut.stderr.contains("certificate_id must be 19 characters"))
        let badType = try CLI.run(["dev", "cd", "--vid", "FFF1", "--pid", "8000", "--device-type", "zz", "--signing-key", lab.path("cd-key.pem"), "--out", lab.path("y.der")])
        #expect(badType.status == 2 && badType.stderr.contains("--device-type zz is not a 32-bit hex value"), "a bad device type is refused, not replaced")
        #expect(!FileManager.default.fileExists(atPath: lab.path("y.der")))
    }
}

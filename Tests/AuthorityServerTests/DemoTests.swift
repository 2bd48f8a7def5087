import Foundation
import Testing
import TestSupport

/// The README's first command, from its `matter-ca` part on (scripts/setup is the machine's, not the test's): in a
/// fresh folder it brings the server up, and the commands it prints enroll and verify a first DAC.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct DemoTests {
    /// The arguments of `.build/release/matter-ca …` in the README's first command line.
    static func readmeServeArguments() throws -> [String] {
        let readme = try String(contentsOf: SharedVectors.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let block = try #require(readme.components(separatedBy: "```sh\n").dropFirst().first)
        let first = try #require(block.split(separator: "\n").first).components(separatedBy: " #").first!
        let part = try #require(first.components(separatedBy: "&&").map { $0.trimmingCharacters(in: .whitespaces) }.last)
        #expect(part.hasPrefix(".build/release/matter-ca "), "the first command ends by running matter-ca: \(part)")
        return part.split(separator: " ").dropFirst().map(String.init)
    }

    @Test func theREADMEsFirstCommandServesAndItsPrintedCommandsEnrollAndVerify() throws {
        let args = try Self.readmeServeArguments()
        #expect(args.first == "serve" && args.contains("--demo"))
        let cwd = try CLI.tempDirectory("demo")
        try FileManager.default.copyItem(at: SharedVectors.packageRoot.appendingPathComponent("VendorRegistry"), to: cwd.appendingPathComponent("VendorRegistry"))
        let home = TestHome(root: cwd.appendingPathComponent(".matter-ca"))
        for round in 0..<2 {   // a fresh home, then the same home again: it just serves
            let server = try TestServer(home: home, arguments: Array(args.dropFirst()), environment: ["MATTER_CA_PIN": "", "MATTER_CA_HOME": home.path],
                                        cwd: cwd)
            for _ in 0..<100 where !server.log.contains("openssl verify") { usleep(100_000) }
            let commands = server.log.split(separator: "\n").filter { ["openssl ", "base64 ", "curl ", "pki "].contains(where: $0.hasPrefix) }
            #expect(commands.count >= 7, "\(server.log)")
            let script = "set -euo pipefail\ncd \(cwd.path)\nrm -f dac.pem dac-strongswan.pem\n" + commands.joined(separator: "\n") + "\n"
            let r = try CLI.exec("/bin/bash", ["-c", script])
            #expect(r.status == 0 && r.output.contains("dac.pem: OK"), "round \(round): \(r.output)")
            let strongswan = try CLI.exec("openssl", ["x509", "-in", cwd.appendingPathComponent("dac-strongswan.pem").path, "-noout", "-subject"])
            #expect(strongswan.stdout.contains("DAC FFF1/8000"), "\(strongswan.output)")
            #expect(server.stop() == 0)
        }
        let pins = try FileManager.default.attributesOfItem(atPath: home.root.appendingPathComponent("demo-pins.json").path)
        #expect(pins[.posixPermissions] as? Int == 0o600)
    }

    /// Run from a directory without `VendorRegistry`, with a registry that is missing, then with one that has no
    /// vendor file (the setup stops after the token and the PAA exist): the first is refused before anything is created;
    /// the second leaves a demo home that the next run completes (the same PAA, not a second one) and serves.
    @Test func aDemoIsRefusedBeforeAnythingExistsAndAnInterruptedOneIsCompleted() throws {
        let cwd = try CLI.tempDirectory("demo-elsewhere")
        let home = TestHome(root: cwd.appendingPathComponent("home"))
        let env = ["MATTER_CA_PIN": "", "MATTER_CA_HOME": home.path]
        let missing = cwd.appendingPathComponent("no-such-registry").path
        let refused = try CLI.run(["serve", "--demo", "--bind", "127.0.0.1:0", "--vendor-registry", missing], environment: env, cwd: cwd)
        #expect(refused.status == 1)
        #expect(refused.output.contains("the vendor registry \(missing) is not a directory") && refused.output.contains("nothing was created"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: home.path), "a refused demo created its home")

        let empty = cwd.appendingPathComponent("empty-registry")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let stopped = try CLI.run(["serve", "--demo", "--bind", "127.0.0.1:0", "--vendor-registry", empty.path], environment: env, cwd: cwd)
        #expect(stopped.status == 1 && stopped.output.contains("no *.yaml vendor files"), "\(stopped.output)")
        #expect(FileManager.default.fileExists(atPath: home.root.appendingPathComponent("demo-pins.json").path))
        #expect(!FileManager.default.fileExists(atPath: home.root.appendingPathComponent("demo-tokens.json").path))

        let registry = SharedVectors.packageRoot.appendingPathComponent("VendorRegistry").path
        let server = try TestServer(home: home, arguments: ["--demo", "--vendor-registry", registry], environment: env, cwd: cwd)
        for _ in 0..<100 where !server.log.contains("openssl verify") { usleep(100_000) }
        #expect(server.log.contains("vendor FFF1 API token: mca_"), "\(server.log)")
        #expect(server.stop() == 0)
        let paas = try CLI.run(["list", "paa", "--json"], environment: env, cwd: cwd)
        #expect(paas.status == 0)
        #expect(paas.stdout.components(separatedBy: "Demo PAA").count == 2, "one Demo PAA, reused: \(paas.stdout)")
    }
}

import Foundation
import Testing
import TestSupport

/// The README's "Run the root of trust" block, followed as written in an empty folder: every line succeeds.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct ReadmeTests {
    static func commands() throws -> [[String]] {
        let readme = try String(contentsOf: SharedVectors.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Run the root of trust").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        return try block.split(separator: "\n").map { line in
            // Split like a shell (double quotes only); a word starting with # starts the comment.
            var words: [String] = [], word = "", quoted = false
            for ch in line {
                if ch == "#" && !quoted && word.isEmpty { break }
                if ch == "\"" { quoted.toggle() } else if ch == " " && !quoted { if !word.isEmpty { words.append(word); word = "" } } else { word.append(ch) }
            }
            if !word.isEmpty { words.append(word) }
            #expect(words.first == "matter-ca", "\(line)")
            return try #require(Array(words.dropFirst()) as [String]?)
        }
    }

    @Test func theREADMEsCommandsWorkInAFreshFolder() throws {
        let commands = try Self.commands()
        #expect(commands.count >= 8)
        let cwd = try CLI.tempDirectory("readme")
        try FileManager.default.copyItem(at: SharedVectors.packageRoot.appendingPathComponent("VendorRegistry"), to: cwd.appendingPathComponent("VendorRegistry"))
        var env = ["MATTER_CA_PIN": "readme-pin", "MATTER_CA_SO_PIN": "readme-so-pin"]
        env["MATTER_CA_HOME"] = nil
        for args in commands {
            let r = try CLI.run(args, environment: env, cwd: cwd)
            #expect(r.status == 0, "matter-ca \(args.joined(separator: " ")): \(r.output)")
        }
        #expect(FileManager.default.fileExists(atPath: cwd.appendingPathComponent(".matter-ca/ledger.sqlite").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cwd.appendingPathComponent("batch-1").path).filter { $0.hasPrefix("dac-key-") && $0.hasSuffix(".pem") }.count == 5)
    }
}

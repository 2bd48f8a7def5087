import Foundation
import MatterPKI

/// The Matter SDK's own C++ checks (`../shared/tools/sdk-judge`), run as an independent judge. `.ci/run`
/// installs it; when `../shared` is absent the tests using it are disabled with `SharedVectors.skipReason`.
public enum SDKJudge {
    public static var directory: URL { SharedVectors.shared.appendingPathComponent("tools/sdk-judge") }
    /// `$SDK_JUDGE_VENV`, else the project's `.venv-tools/sdk-judge` (where scripts/test puts it), else the
    /// judge's own `.venv`.
    static var venv: URL {
        if let v = ProcessInfo.processInfo.environment["SDK_JUDGE_VENV"] { return URL(fileURLWithPath: v) }
        let local = SharedVectors.packageRoot.appendingPathComponent(".venv-tools/sdk-judge")
        if FileManager.default.fileExists(atPath: local.appendingPathComponent("bin/python3").path) { return local }
        return directory.appendingPathComponent(".venv")
    }

    public static var installed: Bool {
        let venv = Self.venv
        guard let libs = try? FileManager.default.contentsOfDirectory(atPath: venv.appendingPathComponent("lib").path) else { return false }
        return libs.contains { FileManager.default.fileExists(atPath: venv.appendingPathComponent("lib/\($0)/site-packages/chip/_ChipDeviceCtrl.so").path) }
    }
    public static let notInstalled = "sdk-judge is not installed: run ../shared/tools/sdk-judge/setup.sh (.ci/run does)"

    public struct ChainVerdict: Decodable, Sendable {
        public let ok: Bool
        public let problems: [String]
    }

    /// `matter_oracle.py jsonl`: one verdict per chain, in order.
    public static func judgeChains(_ chains: [(paa: [UInt8], pai: [UInt8], dac: [UInt8])]) throws -> [ChainVerdict] {
        let input = chains.map { #"{"paa":"\#($0.paa.hexString)","pai":"\#($0.pai.hexString)","dac":"\#($0.dac.hexString)"}"# }
        return try run(script: "matter_oracle.py", lines: input).map { try JSONDecoder().decode(ChainVerdict.self, from: Data($0.utf8)) }
    }

    public struct AttestationCase: Sendable {
        public var elements, challenge, signature, pai, dac, nonce: [UInt8]
        public var vid: UInt16, pid: UInt16
        public var revocationSetPath: String?
        public init(elements: [UInt8], challenge: [UInt8], signature: [UInt8], pai: [UInt8], dac: [UInt8], nonce: [UInt8],
                    vid: UInt16, pid: UInt16, revocationSetPath: String? = nil) {
            self.elements = elements; self.challenge = challenge; self.signature = signature; self.pai = pai
            self.dac = dac; self.nonce = nonce; self.vid = vid; self.pid = pid; self.revocationSetPath = revocationSetPath
        }
    }
    public struct AttestationVerdict: Decodable, Sendable { public let code: Int?; public let crashed: Bool }

    /// `sdk_verifier.py jsonl`: the SDK's DefaultDACVerifier result code per attestation, in order.
    public static func judgeAttestations(_ cases: [AttestationCase]) throws -> [AttestationVerdict] {
        let input = cases.map { c -> String in
            var s = #"{"elements":"\#(c.elements.hexString)","challenge":"\#(c.challenge.hexString)","signature":"\#(c.signature.hexString)","pai":"\#(c.pai.hexString)","dac":"\#(c.dac.hexString)","nonce":"\#(c.nonce.hexString)","vid":\#(c.vid),"pid":\#(c.pid)"#
            if let r = c.revocationSetPath { s += #","revocation_set":"\#(r)""# }
            return s + "}"
        }
        return try run(script: "sdk_verifier.py", lines: input).map { try JSONDecoder().decode(AttestationVerdict.self, from: Data($0.utf8)) }
    }

    struct JudgeFailed: Error, CustomStringConvertible { let description: String }

    static func run(script: String, lines: [String]) throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sdk-judge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in.jsonl"), outURL = dir.appendingPathComponent("out.txt")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        let venvPython = venv.appendingPathComponent("bin/python3").path
        let python = FileManager.default.isExecutableFile(atPath: venvPython) ? venvPython : "python3"
        p.environment = ProcessInfo.processInfo.environment.merging(["SDK_JUDGE_VENV": venv.path]) { _, b in b }
        p.arguments = ["-c", "exec \"$0\" \"$1\" jsonl < \"$2\" > \"$3\" 2>/dev/null", python,
                       directory.appendingPathComponent(script).path, inURL.path, outURL.path]
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        let verdicts = out.split(separator: "\n").filter { $0.hasPrefix("JSON ") }.map { String($0.dropFirst(5)) }
        guard verdicts.count == lines.count else {
            throw JudgeFailed(description: "\(script) answered \(verdicts.count) of \(lines.count) cases (exit \(p.terminationStatus))")
        }
        return verdicts
    }
}

import Foundation
import MatterPKI

/// The Matter SDK's public vectors live in `../shared` beside the project; they are never copied in. Tests that
/// use them are disabled, with this reason, when the folder is absent.
public enum SharedVectors {
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    public static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    public static let root = shared.appendingPathComponent("vectors/matter-sdk")
    public static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("sdk-verdicts.json").path) }
    public static let skipReason: Comment = "SKIPPED: ../shared/vectors/matter-sdk is absent, so the SDK vectors cannot be checked"
    public static var commissionerDUT: URL { root.appendingPathComponent("credentials/development/commissioner_dut") }
    public static var testPAAFFF1: URL { root.appendingPathComponent("credentials/development/paa-root-certs/Chip-Test-PAA-FFF1-Cert.pem") }

    public struct Verdict: Decodable, Sendable {
        public enum Code: Decodable, Sendable, Equatable {
            case code(Int)
            /// The SDK build crashed on the vector: any failure is the target.
            case crash
            public init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let n = try? c.decode(Int.self) { self = .code(n) } else { self = .crash }
            }
        }
        public let is_success_case: Bool
        public let certificate_level_ok: Bool?
        public let basic_info_pid_absent: Bool?
        public let sdk_code: Code
        public let sdk_result: String
        public let note: String?
    }

    public static let verdicts: [String: Verdict] = {
        guard let data = try? Data(contentsOf: root.appendingPathComponent("sdk-verdicts.json")) else { return [:] }
        return (try? JSONDecoder().decode([String: Verdict].self, from: data)) ?? [:]
    }()

    /// One `test_case_vector.json`.
    public struct Vector: Decodable, Sendable {
        public let description: String
        public let dac_cert: String
        public let pai_cert: String
        public let certification_declaration: String
        public let dac_private_key: String
        public let basic_info_pid: Int?
    }

    public static func vector(_ name: String) throws -> Vector {
        let url = commissionerDUT.appendingPathComponent(name).appendingPathComponent("test_case_vector.json")
        return try JSONDecoder().decode(Vector.self, from: Data(contentsOf: url))
    }

    /// Names of the certificate-structure vectors (struct_dac_* and struct_pai_*).
    public static var certificateCases: [String] {
        verdicts.keys.filter { $0.hasPrefix("struct_dac_") || $0.hasPrefix("struct_pai_") }.sorted()
    }
}

import Testing

import ArgumentParser
import Authority
import Foundation

struct MatterCA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matter-ca",
        abstract: "A Matter device-attestation authority: PAA → PAI → DAC issuance, lint and verification.",
        discussion: "Exit codes: 0 ok, 1 refused or failed check, 2 usage error or unreadable input.",
        version: Authority.version,
        subcommands: [InitCommand.self, PAACommand.self, PAICommand.self, CeremonyCommand.self, VendorCommand.self, DACCommand.self, ListCommand.self, ShowCommand.self, ExportCommand.self,
                      RevokeCommand.self, CRLCommand.self, AuditCommand.self, LedgerCommand.self, DoctorCommand.self, ServeCommand.self, LintCommand.self, VerifyCommand.self, DevCommand.self])
}

/// Exit with a code of the CLI contract after printing `message` to stderr.
struct CLIExit: Error {
    let code: Int32
    let message: String?
    static func refused(_ m: String) -> CLIExit { CLIExit(code: 1, message: m) }
    static func unreadable(_ m: String) -> CLIExit { CLIExit(code: 2, message: m) }
    static let failedCheck = CLIExit(code: 1, message: nil)
}

@main
enum Entry {
    static func main() {
        do {
            var command = try MatterCA.parseAsRoot()
            try command.run()
        } catch let e as CLIExit {
            if let m = e.message { FileHandle.standardError.write(Data("matter-ca: \(m)\n".utf8)) }
            exit(e.code)
        } catch {
            let code = MatterCA.exitCode(for: error)
            // ArgumentParser says 64 (EX_USAGE) for usage errors; the matter-ca contract says 2.
            if code == .validationFailure {
                FileHandle.standardError.write(Data((MatterCA.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            MatterCA.exit(withError: error)
        }
    }
}

func writeStdout(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }

func jsonString<T: Encodable>(_ value: T) -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? enc.encode(value)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
}

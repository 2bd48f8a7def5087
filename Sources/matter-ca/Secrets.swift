import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// PINs come from the environment or an interactive prompt: never from argv, never echoed or logged.
enum Secrets {
    static func pin(_ variable: String, prompt: String) throws -> [UInt8] {
        if let v = ProcessInfo.processInfo.environment[variable], !v.isEmpty { return Array(v.utf8) }
        guard isatty(STDIN_FILENO) == 1, let p = getpass("\(prompt): ") else {
            throw CLIExit.unreadable("\(variable) is not set and there is no terminal to ask for it")
        }
        let value = Array(String(cString: p).utf8)
        guard !value.isEmpty else { throw CLIExit.unreadable("an empty PIN is not accepted") }
        return value
    }
}

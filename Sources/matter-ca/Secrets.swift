import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// PINs come from the environment, a file named by `<VAR>_FILE`, or an interactive prompt: never from argv, never
/// echoed or logged. Once read, the variable is wiped from the process (its bytes overwritten, then unset), so
/// neither /proc/<pid>/environ nor a child process sees it.
enum Secrets {
    static func pin(_ variable: String, prompt: String) throws -> [UInt8] {
        if let value = fromEnvironment(variable) { return value }
        if let path = ProcessInfo.processInfo.environment[variable + "_FILE"] {
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIExit.unreadable("\(variable)_FILE \(path): cannot read") }
            var bytes = Array(data)
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            guard !bytes.isEmpty else { throw CLIExit.unreadable("\(variable)_FILE \(path) is empty") }
            return bytes
        }
        guard isatty(STDIN_FILENO) == 1, let value = typedHidden("\(prompt): ") else {
            throw CLIExit.unreadable("\(variable) (or \(variable)_FILE) is not set and there is no terminal to ask for it")
        }
        guard !value.isEmpty else { throw CLIExit.unreadable("an empty PIN is not accepted") }
        return value
    }

    /// A line typed at the terminal without echo (a PIN, a custodian's share); `getpass`'s own buffer is zeroed.
    static func typedHidden(_ prompt: String) -> [UInt8]? {
        guard let p = getpass(prompt) else { return nil }
        let n = strlen(p)
        let value = Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: n))
        memset(p, 0, n)
        return value
    }

    /// A PIN when one was provided without asking (environment or file), nil otherwise.
    static func optionalPIN(_ variable: String) throws -> [UInt8]? {
        let env = ProcessInfo.processInfo.environment
        guard env[variable].map({ !$0.isEmpty }) == true || env[variable + "_FILE"] != nil else { return nil }
        return try pin(variable, prompt: "")
    }

    private static func fromEnvironment(_ variable: String) -> [UInt8]? {
        guard let raw = getenv(variable) else { return nil }
        let n = strlen(raw)
        guard n > 0 else { return nil }
        let value = Array(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: n))
        // Overwrite in place: the initial environment block is what /proc/<pid>/environ shows.
        memset(raw, 0x20, n)
        unsetenv(variable)
        return value
    }
}

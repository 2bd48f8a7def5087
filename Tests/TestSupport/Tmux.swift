import Foundation
import Testing

/// A program on a real terminal: a detached tmux session on a private server socket, driven with send-keys and
/// read with capture-pane, as an operator at a keyboard would.
public final class TmuxSession: @unchecked Sendable {
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }
    public static let missing: Comment = "tmux is not installed (.ci/run installs it)"

    let socket: String
    let name = "t"

    /// Starts `command` (a shell line) with `environment` in a 200×50 terminal; the pane stays after it exits so its
    /// last screen and exit status can be read.
    public init(_ command: String, environment: [String: String]) throws {
        socket = try CLI.tempDirectory("tmux").appendingPathComponent("sock").path
        let exports = environment.map { "export \($0.key)=\(Self.quoted($0.value));" }.joined(separator: " ")
        let line = "\(exports) \(command); echo \"[exit $?]\"; sleep 600"
        // The server forks off the first client and keeps every descriptor it inherited: its output goes to
        // /dev/null, and descriptors above 2 (pipes of other tests' children, open in this process) are closed first,
        // or a reader waiting for their end would wait as long as the server lives.
        let start = ["/usr/bin/tmux", "-S", socket, "new-session", "-d", "-s", name, "-x", "200", "-y", "50", "/bin/sh", "-c", line]
        let closeInherited = #"for fd in $(ls /proc/$$/fd); do if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi; done 2>/dev/null; "#
        let r = try CLI.exec("/bin/bash", ["-c", closeInherited + "exec " + start.map(Self.quoted).joined(separator: " ") + " </dev/null >/dev/null 2>&1"])
        guard r.status == 0 else { throw TestHome.Failure(description: "tmux new-session failed (\(r.status))") }
    }

    deinit { _ = try? tmux(["kill-server"]) }

    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let r = try CLI.exec("/usr/bin/tmux", ["-S", socket] + args)
        guard r.status == 0 else { throw TestHome.Failure(description: "tmux \(args.first ?? ""): \(r.output)") }
        return r.stdout
    }

    /// Types `text` then Enter.
    public func type(_ text: String) throws {
        try tmux(["send-keys", "-t", name, "-l", text])
        try tmux(["send-keys", "-t", name, "Enter"])
    }

    /// The visible screen (`history`: with the scrollback too).
    public func screen(history: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", name] + (history ? ["-S", "-"] : []))
    }

    /// Waits until the screen shows `text`; fails with the screen after `timeout` seconds.
    @discardableResult
    public func waitFor(_ text: String, timeout: Double = 60) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let s = try screen()
            if s.contains(text) { return s }
            usleep(100_000)
        }
        throw TestHome.Failure(description: "waited \(timeout) s for \"\(text)\"; the screen shows:\n\(try screen())")
    }

    /// Waits for the program to end; its exit status.
    public func exitStatus(timeout: Double = 120) throws -> Int32 {
        let s = try waitFor("[exit ", timeout: timeout)
        guard let r = s.range(of: #"\[exit (\d+)\]"#, options: .regularExpression) else { throw TestHome.Failure(description: s) }
        return Int32(s[r].dropFirst(6).dropLast()) ?? -1
    }

    /// The pid of the process of that name running under the pane.
    public func pid(of program: String) throws -> Int32? {
        let shell = try tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let r = try CLI.exec("/usr/bin/pgrep", ["-P", shell, "-x", program])
        return Int32(r.stdout.split(separator: "\n").first ?? "")
    }

    static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

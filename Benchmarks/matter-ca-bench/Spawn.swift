import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One child process run to its exit: posix_spawn, then wait4 for its status and resource usage. Not Foundation's
/// Process (see `toolRun`: after the in-process server has run, Process.waitUntilExit can miss the exit here).
struct Spawned {
    /// The exit code, or 128 + the signal that ended it.
    let status: Int32
    /// From just before posix_spawn to wait4's return.
    let seconds: Double
    /// The child's peak resident set (ru_maxrss: KiB on Linux).
    let maxRSSKiB: Int
    /// Its CPU time in user space and in the kernel (ru_utime, ru_stime), in seconds.
    let userSeconds: Double
    let systemSeconds: Double
    /// Its standard output and the end of its standard error.
    let output: String
    let errorTail: String

    /// Runs `executable` with `arguments` and exactly `environment` (secrets go there, never on argv); standard
    /// output and error go to files in `dir`, read back after the exit.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String], dir: URL) throws -> Spawned {
        let tag = UUID().uuidString.prefix(8)
        let outPath = dir.appendingPathComponent("stdout-\(tag)").path, errPath = dir.appendingPathComponent("stderr-\(tag)").path
        defer { unlink(outPath); unlink(errPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchFailure(description: "posix_spawn \(executable): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchFailure(description: "wait4: \(String(cString: strerror(errno)))") }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // WIFEXITED: the low 7 bits are 0; WEXITSTATUS: the next byte. Otherwise WTERMSIG: the low 7 bits.
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        func time(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return Spawned(status: code, seconds: seconds, maxRSSKiB: Int(usage.ru_maxrss), userSeconds: time(usage.ru_utime),
                       systemSeconds: time(usage.ru_stime), output: output,
                       errorTail: errors.split(separator: "\n").suffix(3).joined(separator: " | "))
    }
}

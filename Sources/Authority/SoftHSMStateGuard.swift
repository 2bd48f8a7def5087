import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SoftHSM2's file store rewrites `token.object` (label, PIN-wrapped token key, flags) in place — truncate, then
/// write — on every login. A process killed between the two leaves the file empty, and the token, with every CA key
/// in it, disappears from the slot list (reproduced by `CrashSafetyTests`: SIGKILL during `pai issue`). The key
/// objects themselves are separate files and stay whole. This guard keeps a copy of the last good `token.object`
/// beside it (replaced atomically) and puts it back when it finds the file empty: login only changes flag bits, so
/// the copy is the same token. Applies to the home's own SoftHSM2 token only; a real HSM keeps its own state.
enum SoftHSMStateGuard {
    static let backupName = "token.object.matter-ca-backup"

    /// Checks every token directory named by the SoftHSM2 configuration at `configPath`; returns the token
    /// directories whose state was restored.
    @discardableResult
    static func protect(configPath: String) -> [String] {
        guard let dir = tokenDirectory(configPath: configPath),
              let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        var restored: [String] = []
        for entry in entries.sorted() {
            let tokenDir = dir + "/" + entry
            if protectToken(tokenDir) { restored.append(tokenDir) }
        }
        return restored
    }

    /// SoftHSM2 also drops its lock between that truncate and write, so another process opening the token in that
    /// instant reads an empty state and fails (`C_GetTokenInfo failed: CKR_GENERAL_ERROR`, seen in CI with two
    /// `dac batch --resume` started together). matter-ca processes therefore open and log in to the home's token one at
    /// a time, under an exclusive lock on a file beside the token folder; the guard runs under it too.
    static func withLoginLock<T>(configPath: String, _ body: () throws -> T) rethrows -> T {
        guard let dir = tokenDirectory(configPath: configPath) else { return try body() }
        // Beside the token folder, not in it: SoftHSM2 and the tests read that folder's entries as tokens.
        let lock = URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent(".token-login.lock").path
        let fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return try body() }
        defer { close(fd) }   // closing releases the lock, on every path
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        return try body()
    }

    static func tokenDirectory(configPath: String) -> String? {
        guard let text = try? String(contentsOfFile: configPath, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "directories.tokendir" { return parts[1] }
        }
        return nil
    }

    /// True when the token's state was restored from the copy.
    static func protectToken(_ tokenDir: String) -> Bool {
        let state = tokenDir + "/token.object", backup = tokenDir + "/" + backupName
        guard FileManager.default.fileExists(atPath: state) else { return false }
        for attempt in 0..<2 {
            // SoftHSM2 locks token.object with fcntl while it rewrites it; take the same lock to read a settled file.
            let fd = open(state, O_RDWR)
            guard fd >= 0 else { return false }
            var lock = flock()
            lock.l_type = Int16(F_WRLCK)
            lock.l_whence = Int16(SEEK_SET)
            _ = fcntl(fd, F_SETLKW, &lock)
            let current = readAll(fd)
            lock.l_type = Int16(F_UNLCK)
            _ = fcntl(fd, F_SETLK, &lock)
            close(fd)
            if !current.isEmpty {
                if FileManager.default.contents(atPath: backup) != current { try? FileOutput.write(current, to: URL(fileURLWithPath: backup), mode: 0o600, durable: true) }
                return false
            }
            // SoftHSM2 drops its lock between the truncate and the write: give a live writer time to finish
            // before calling the file abandoned.
            if attempt == 0 { usleep(200_000) }
        }
        guard let copy = FileManager.default.contents(atPath: backup), !copy.isEmpty else { return false }
        do { try FileOutput.write(copy, to: URL(fileURLWithPath: state), mode: 0o600, durable: true) } catch { return false }
        return true
    }

    private static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        lseek(fd, 0, SEEK_SET)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }
}

import Foundation
import Testing

/// Small tmpfs mounts for fault-injection tests (full disks, read-only folders). They need root, as in CI; elsewhere
/// the tests that use them say they were skipped.
public enum Mounts {
    public static let available: Bool = {
        guard getuid() == 0, let d = try? CLI.tempDirectory("mount-probe") else { return false }
        defer { _ = try? CLI.exec("umount", [d.path]) }
        return (try? CLI.exec("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", d.path]).status) == 0
    }()
    public static let unavailable: Comment = "needs root and tmpfs mounts (CI runs as root)"

    /// A tmpfs of `size` (e.g. "256k") at a new directory; `readOnly` mounts it read-only.
    public static func tmpfs(size: String, readOnly: Bool = false) throws -> URL {
        let d = try CLI.tempDirectory("tmpfs")
        let r = try CLI.exec("mount", ["-t", "tmpfs", "-o", (readOnly ? "ro," : "") + "size=\(size)", "tmpfs", d.path])
        guard r.status == 0 else { throw TestHome.Failure(description: "mount: \(r.output)") }
        return d
    }

    public static func resize(_ d: URL, size: String) throws {
        let r = try CLI.exec("mount", ["-o", "remount,size=\(size)", d.path])
        guard r.status == 0 else { throw TestHome.Failure(description: "remount: \(r.output)") }
    }

    public static func unmount(_ d: URL) { _ = try? CLI.exec("umount", ["-l", d.path]) }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Output files are written to a partial file beside them and renamed into place: a crash never leaves a torn file under the
/// final name, and there is no fsync per file (a batch writes tens of thousands; the ledger is the durable record).
/// The partial file is created new (`O_EXCL|O_NOFOLLOW`) with its final mode, so a planted symlink is never
/// followed and a key file is never readable by others, not even for its first byte.
public enum FileOutput {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Partial names are unique per writer (process and call), so two processes delivering the same batch (a
    /// resume racing a repeat) never write into each other's partial file; the last rename wins, with the same
    /// bytes.
    private static let sequence = SpotSequence()

    /// `durable` adds an fsync of the file before the rename and of its directory after (for the few files that
    /// are state, not output).
    public static func write(_ bytes: some ContiguousBytes, to url: URL, mode: mode_t = 0o644, durable: Bool = false) throws {
        try write(bytes, toPath: url.path, mode: mode, durable: durable)
    }

    /// `partials`: a directory on the same file system where the partial file is made (`partialDirectory(in:)`),
    /// instead of beside the final name. A batch's output folder holds hundreds of thousands of names: a partial
    /// file there cost that large directory two more lookups, an insertion and a removal per file (perf: the
    /// rename was a tenth of a factory batch's CPU); in a small directory of its own they cost almost nothing.
    public static func write(_ bytes: some ContiguousBytes, toPath path: String, mode: mode_t = 0o644, durable: Bool = false,
                             partials: String? = nil) throws {
        let tmp = partials.map { "\($0)/\(path.split(separator: "/").last ?? "file").\(getpid())-\(sequence.next())" }
            ?? "\(path).partial-\(getpid())-\(sequence.next())"
        // Created new (O_EXCL|O_NOFOLLOW) with its final mode (the umask can only narrow it): a planted link is
        // never followed, and a secret is never readable by others, not even for its first byte.
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("cannot create \(tmp)") }
        var ok = bytes.withUnsafeBytes { buf -> Bool in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        if ok && durable && fsync(fd) != 0 { ok = false }
        let writeErrno = errno
        if close(fd) != 0 { ok = false }
        guard ok else {
            unlink(tmp)
            errno = writeErrno
            throw failure("cannot write \(path)")
        }
        // rename replaces a symlink at the final name; it never writes through it.
        guard rename(tmp, path) == 0 else {
            let e = failure("cannot move \(tmp) to \(path)")
            unlink(tmp)
            throw e
        }
        if durable {
            let dir = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dir >= 0 { _ = fsync(dir); close(dir) }
        }
    }

    /// `<dir>/.partial`, made if missing (0700: a key being written is never readable by others), and refused when
    /// it is anything but a directory of its own (a planted symbolic link is never followed).
    public static func partialDirectory(in dir: String) throws -> String {
        let path = dir + "/.partial"
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw failure("cannot create \(path)") }
        var st = stat()
        guard lstat(path, &st) == 0 else { throw failure("cannot inspect \(path)") }
        guard st.st_mode & S_IFMT == S_IFDIR, st.st_uid == geteuid() else {
            throw Failure(description: "\(path) is not a directory of this user: remove it")
        }
        return path
    }

    /// Removes what writers that no longer run left in `<dir>/.partial` (a crash between create and rename), then the
    /// directory itself when it is empty; a live writer's files (another run of the batch) stay.
    public static func removePartials(in dir: String) {
        let path = dir + "/.partial"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names {
            // <final name>.<pid>-<sequence>
            guard let dot = name.lastIndex(of: "."), let dash = name[dot...].firstIndex(of: "-"),
                  let pid = Int32(name[name.index(after: dot)..<dash]) else { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) { unlink(path + "/" + name) }
        }
        rmdir(path)
    }

    static func failure(_ what: String) -> Failure { Failure(description: "\(what): \(String(cString: strerror(errno)))") }
}

/// Where a command will write, checked before anything is recorded: a directory (created if missing) that this
/// process can create files in.
public enum OutputLocation {
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let reason: String
        public var description: String { "output location \(path): \(reason); nothing was recorded or signed" }
    }

    /// `partials`: also the folder `FileOutput` makes partial files in (a batch's output), so that a planted link
    /// there is refused before anything is recorded rather than after the first chunk.
    public static func prepare(_ url: URL, partials: Bool = false) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Problem(path: url.path, reason: "is a file, not a directory") }
        } else {
            do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
                throw Problem(path: url.path, reason: "cannot be created (\(reason(error)))")
            }
        }
        let probe = url.appendingPathComponent(".matter-ca-probe-\(getpid())")
        let fd = open(probe.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Problem(path: url.path, reason: "is not writable (\(String(cString: strerror(errno))))") }
        close(fd)
        unlink(probe.path)
        // Only checked when it exists (it is made at the first write): a refused request leaves nothing behind.
        var st = stat()
        if partials, lstat(url.path + "/.partial", &st) == 0 {
            do { _ = try FileOutput.partialDirectory(in: url.path) } catch { throw Problem(path: url.path, reason: "\(error)") }
        }
    }

    /// The POSIX reason inside a Foundation error, without the rest of its dump.
    public static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let e = error as? CocoaError {
            let posix: Int32? = switch e.code {
            case .fileWriteVolumeReadOnly: EROFS
            case .fileWriteOutOfSpace: ENOSPC
            case .fileWriteNoPermission, .fileReadNoPermission: EACCES
            case .fileNoSuchFile, .fileReadNoSuchFile: ENOENT
            case .fileWriteFileExists: EEXIST
            default: nil
            }
            if let posix { return String(cString: strerror(posix)) }
        }
        return ns.localizedDescription
    }
}

final class SpotSequence: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int { lock.withLock { n += 1; return n } }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Output files are written to `name.partial` and renamed into place: a crash never leaves a torn file under the
/// final name, and there is no fsync per file (a batch writes tens of thousands; the ledger is the durable record).
enum FileOutput {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func write(_ bytes: some ContiguousBytes, to url: URL, mode: mode_t = 0o644) throws {
        let tmp = url.path + ".partial"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw Failure(description: "cannot write \(tmp): \(String(cString: strerror(errno)))") }
        let ok = bytes.withUnsafeBytes { buf -> Bool in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        if mode != 0o644 { fchmod(fd, mode) }
        close(fd)
        guard ok, rename(tmp, url.path) == 0 else {
            unlink(tmp)
            throw Failure(description: "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}

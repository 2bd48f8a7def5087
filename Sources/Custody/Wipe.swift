#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Overwrites `bytes` with zeros in place, keeping its length.
///
/// A plain store loop on a buffer that is never read again is a dead store the optimizer may remove;
/// `explicit_bzero`/`memset_s` are specified not to be removed, and the opaque call afterwards stops the
/// compiler from reasoning the zeros away on platforms without them.
/// Only this array's own storage is zeroed: a copy that shares it (copy-on-write) is detached first, so
/// callers wipe the buffer they exclusively own.
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { raw in
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        #if canImport(Glibc)
        explicit_bzero(base, raw.count)
        #elseif canImport(Darwin)
        _ = memset_s(base, raw.count, 0, raw.count)
        #else
        raw.initializeMemory(as: UInt8.self, repeating: 0)
        #endif
        opaqueBarrier(base)
    }
}

/// The compiler cannot see through this call, so it must assume the zeroed memory is observed.
@inline(never) @_optimize(none)
func opaqueBarrier(_ pointer: UnsafeMutableRawPointer) {
    _ = pointer
}

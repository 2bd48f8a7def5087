import CPKCS11
import Foundation

public enum SessionPoolError: Error, CustomStringConvertible, Equatable {
    /// Every session stayed busy for the whole wait: the token is overloaded or a caller is stuck.
    case timedOut(seconds: Double, sessions: Int)
    public var description: String {
        switch self {
        case .timedOut(let s, let n): return "no PKCS#11 session became free within \(s) s (all \(n) busy); the token is overloaded or stuck"
        }
    }
}

/// Logged-in sessions on one token, lent to one task at a time: Cryptoki sessions are not for concurrent use, and
/// a pool lets many tasks sign at once (the token decides how parallel it really is). A server calls it, so no
/// wait is unbounded, and a session the token dropped (closed, logged out, token re-inserted) is re-opened and
/// logged in again once before the error reaches the caller.
public final class SessionPool: @unchecked Sendable {
    public let module: PKCS11Module
    public let slot: UInt
    public let tokenLabel: String
    /// How long `withSession` waits for a free session.
    public let waitTimeout: Double
    private let readWrite: Bool
    /// Kept in memory only, to log in again after the token dropped the login; nil for a read-only public pool, and
    /// for a pool that must not keep its PIN (the root token's, rebuilt from custodian shares and wiped at once).
    private let pin: [UInt8]?
    public let isLoggedIn: Bool
    private var free: [UInt]
    private var open: Set<UInt>
    private let condition = NSCondition()

    /// Opens `size` sessions and logs in with `pin` (the login applies to every session of this process). With a
    /// nil `pin` the sessions are not logged in: they see public objects only (public keys, for verification).
    /// With `retainPIN: false` the PIN is used for the login and not kept: a session the token drops is not logged
    /// in again (the caller asks for the shares again instead).
    public init(module: PKCS11Module, tokenLabel: String, pin: [UInt8]?, size: Int = 4, readWrite: Bool = true, waitTimeout: Double = 30,
                retainPIN: Bool = true) throws {
        self.module = module
        self.tokenLabel = tokenLabel
        self.pin = retainPIN ? pin : nil
        isLoggedIn = pin != nil
        self.readWrite = readWrite
        self.waitTimeout = waitTimeout
        slot = try module.slot(label: tokenLabel)
        var sessions: [UInt] = []
        do {
            for _ in 0..<max(1, size) { sessions.append(try module.openSession(slot: slot, readWrite: readWrite)) }
            if let pin { try module.login(session: sessions[0], pin: pin) }
        } catch {
            sessions.forEach(module.closeSession)
            throw error
        }
        free = sessions
        open = Set(sessions)
    }

    deinit { open.forEach(module.closeSession) }

    /// CKR_ values after which a fresh, logged-in session is worth one more try.
    static let recoverable: Set<UInt> = [0xB0 /* SESSION_CLOSED */, 0xB3 /* SESSION_HANDLE_INVALID */, 0x101 /* USER_NOT_LOGGED_IN */,
                                         0x32 /* DEVICE_REMOVED */, 0xE0 /* TOKEN_NOT_PRESENT */]

    public func withSession<T>(_ body: (UInt) throws -> T) throws -> T {
        var s = try take()
        defer { give(s) }
        do { return try body(s) } catch let e as PKCS11Error where Self.recoverable.contains(e.rv) {
            s = try reopen(s)
            return try body(s)
        }
    }

    private func take() throws -> UInt {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: waitTimeout)
        while free.isEmpty {
            if !condition.wait(until: deadline) && free.isEmpty { throw SessionPoolError.timedOut(seconds: waitTimeout, sessions: open.count) }
        }
        return free.removeLast()
    }

    private func give(_ s: UInt) {
        condition.lock()
        free.append(s)
        condition.signal()
        condition.unlock()
    }

    /// Replaces a dropped session with a new one, logged in again. On failure the caller gives the dead handle back
    /// (the pool keeps its size), and the next user of it tries to re-open it again.
    private func reopen(_ old: UInt) throws -> UInt {
        module.closeSession(old)
        let new = try module.openSession(slot: try module.slot(label: tokenLabel), readWrite: readWrite)
        do {
            if let pin { try module.login(session: new, pin: pin) }
        } catch {
            module.closeSession(new)
            throw error
        }
        condition.lock()
        open.remove(old)
        open.insert(new)
        condition.unlock()
        return new
    }

    /// Closes every session of the pool behind its back (the token logs the process out), as a token reset or a
    /// dropped network HSM connection would. For tests of the recovery path.
    public func dropSessionsForTesting() {
        condition.lock()
        defer { condition.unlock() }
        open.forEach(module.closeSession)
    }
}

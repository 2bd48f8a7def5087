import CPKCS11
import Foundation

/// Logged-in sessions on one token, lent to one task at a time: Cryptoki sessions are not for concurrent use, and
/// a pool lets many tasks sign at once (the token decides how parallel it really is).
public final class SessionPool: @unchecked Sendable {
    public let module: PKCS11Module
    public let slot: UInt
    public let tokenLabel: String
    private var free: [UInt]
    private let condition = NSCondition()
    private let all: [UInt]

    /// Opens `size` sessions and logs in (the login applies to every session of this process).
    public init(module: PKCS11Module, tokenLabel: String, pin: [UInt8], size: Int = 4, readWrite: Bool = true) throws {
        self.module = module
        self.tokenLabel = tokenLabel
        slot = try module.slot(label: tokenLabel)
        var sessions: [UInt] = []
        do {
            for _ in 0..<max(1, size) { sessions.append(try module.openSession(slot: slot, readWrite: readWrite)) }
            try module.login(session: sessions[0], pin: pin)
        } catch {
            sessions.forEach(module.closeSession)
            throw error
        }
        free = sessions
        all = sessions
    }

    deinit { all.forEach(module.closeSession) }

    public func withSession<T>(_ body: (UInt) throws -> T) rethrows -> T {
        condition.lock()
        while free.isEmpty { condition.wait() }
        let s = free.removeLast()
        condition.unlock()
        defer {
            condition.lock()
            free.append(s)
            condition.signal()
            condition.unlock()
        }
        return try body(s)
    }
}

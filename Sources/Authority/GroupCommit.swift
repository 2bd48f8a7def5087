import Foundation
import Ledger

/// Commits single certificates of concurrent requests together: one transaction, one fsync, and each caller
/// returns only after its certificate is in the ledger. A group that fails (a serial collision) is committed one by
/// one, so that only the certificate at fault gets the error.
///
/// One drain on a serial queue commits whatever is queued until nothing is, so requests that arrive during an
/// fsync form the next group. `commitAsync` (the server) suspends the caller's task, not its thread: a server's
/// blocking pool never has its threads parked on the disk. `commit` (plain threads: the CLI) waits on a semaphore.
final class GroupCommit: @unchecked Sendable {
    private typealias Waiter = @Sendable (Result<Void, Error>) -> Void

    private let ledger: any Ledger
    private let lock = NSLock()
    private var queue: [(CertificateGroup, Waiter)] = []
    private var draining = false
    private let drainQueue = DispatchQueue(label: "matter-ca.group-commit")

    init(ledger: any Ledger) { self.ledger = ledger }

    func commit(_ group: CertificateGroup) throws {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Result<Void, Error>?>(nil)
        enqueue(group) { r in result.withLock { $0 = r }; done.signal() }
        done.wait()
        try result.withLock { $0 }!.get()
    }

    func commitAsync(_ group: CertificateGroup) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in enqueue(group) { c.resume(with: $0) } }
    }

    private func enqueue(_ group: CertificateGroup, _ waiter: @escaping Waiter) {
        let start = lock.withLock { () -> Bool in
            queue.append((group, waiter))
            if draining { return false }
            draining = true
            return true
        }
        if start { drainQueue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let batch = lock.withLock { () -> [(CertificateGroup, Waiter)] in
                let b = queue
                queue = []
                if b.isEmpty { draining = false }
                return b
            }
            if batch.isEmpty { return }
            for ((_, waiter), r) in zip(batch, commitAll(batch.map(\.0))) { waiter(r) }
        }
    }

    private func commitAll(_ batch: [CertificateGroup]) -> [Result<Void, Error>] {
        // Groups of one actor and action share an audit entry.
        var merged: [String: CertificateGroup] = [:]
        for g in batch {
            let key = g.actor + "\u{0}" + g.action
            if merged[key] == nil { merged[key] = CertificateGroup(certificates: [], actor: g.actor, action: g.action, payload: g.payload) }
            merged[key]!.certificates += g.certificates
            if merged[key]!.payload != g.payload { merged[key]!.payload = ["several": "requests"] }
        }
        do {
            try ledger.recordCertificates(Array(merged.values))
            return batch.map { _ in .success(()) }
        } catch {
            guard batch.count > 1 else { return [.failure(error)] }
            return batch.map { g in Result { try ledger.recordCertificates([g]) } }
        }
    }
}

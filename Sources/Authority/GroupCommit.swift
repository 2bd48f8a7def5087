import Foundation
import Ledger

/// Commits single certificates of concurrent requests together: one transaction, one fsync, and each caller
/// returns only after its certificate is in the ledger. A group that fails (a serial collision) is committed one by
/// one, so that only the certificate at fault gets the error.
///
/// Two ways in. `commit` (leader/follower, for plain threads): whoever finds no commit running commits everything
/// queued while the others wait. `commitAsync` (the server): the caller's task is suspended, not its thread, and
/// one drain on a serial queue commits whatever is queued until nothing is; a server's blocking pool then never has
/// its threads parked on the disk, and requests that arrive during an fsync form the next group.
final class GroupCommit: @unchecked Sendable {
    private final class Item {
        let group: CertificateGroup
        var result: Result<Void, Error>?
        init(_ g: CertificateGroup) { group = g }
    }

    private let ledger: any Ledger
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var committing = false

    private let asyncLock = NSLock()
    private var asyncQueue: [(CertificateGroup, CheckedContinuation<Void, Error>)] = []
    private var draining = false
    private let drainQueue = DispatchQueue(label: "matter-ca.group-commit")

    init(ledger: any Ledger) { self.ledger = ledger }

    func commit(_ group: CertificateGroup) throws {
        let item = Item(group)
        condition.lock()
        queue.append(item)
        while item.result == nil {
            if committing { condition.wait(); continue }
            committing = true
            let batch = queue
            queue = []
            condition.unlock()
            let results = commitAll(batch.map(\.group))
            condition.lock()
            for (i, r) in zip(batch, results) { i.result = r }
            committing = false
            condition.broadcast()
        }
        condition.unlock()
        try item.result!.get()
    }

    func commitAsync(_ group: CertificateGroup) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            let start = asyncLock.withLock { () -> Bool in
                asyncQueue.append((group, c))
                if draining { return false }
                draining = true
                return true
            }
            if start { drainQueue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let batch = asyncLock.withLock { () -> [(CertificateGroup, CheckedContinuation<Void, Error>)] in
                let b = asyncQueue
                asyncQueue = []
                if b.isEmpty { draining = false }
                return b
            }
            if batch.isEmpty { return }
            for ((_, c), r) in zip(batch, commitAll(batch.map(\.0))) { c.resume(with: r) }
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

import Foundation
import Ledger

/// Commits single certificates of concurrent requests together (leader/follower): whoever finds no commit running
/// commits everything queued in one transaction, one fsync, while the others wait for their result. Each caller
/// still returns only after its certificate is in the ledger. A group that fails (a serial collision) is committed
/// one by one, so that only the certificate at fault gets the error.
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
            let results = commitAll(batch)
            condition.lock()
            for (i, r) in zip(batch, results) { i.result = r }
            committing = false
            condition.broadcast()
        }
        condition.unlock()
        try item.result!.get()
    }

    private func commitAll(_ batch: [Item]) -> [Result<Void, Error>] {
        // Groups of one actor and action share an audit entry.
        var merged: [String: CertificateGroup] = [:]
        for i in batch {
            let key = i.group.actor + "\u{0}" + i.group.action
            if merged[key] == nil { merged[key] = CertificateGroup(certificates: [], actor: i.group.actor, action: i.group.action, payload: i.group.payload) }
            merged[key]!.certificates += i.group.certificates
            if merged[key]!.payload != i.group.payload { merged[key]!.payload = ["several": "requests"] }
        }
        do {
            try ledger.recordCertificates(Array(merged.values))
            return batch.map { _ in .success(()) }
        } catch {
            guard batch.count > 1 else { return [.failure(error)] }
            return batch.map { i in Result { try ledger.recordCertificates([i.group]) } }
        }
    }
}

import Foundation

/// Audit actions that only add DAC rows: nothing authorization reads changes with them.
let issuanceActions = ["dac.issue", "dac.batch.start", "dac.batch.issue", "dac.batch.complete"]

/// The audit-entry check of both engines (`Ledger.auditEntries(after:)`), `$1` the seq: the newest seq, and how many
/// entries after `$1` are not issuance.
let auditEntriesSQL = """
    SELECT (SELECT max(seq) FROM audit_log) AS head, \
    count(CASE WHEN action IN (\(issuanceActions.map { "'\($0)'" }.joined(separator: ", "))) THEN NULL ELSE 1 END) AS beyond \
    FROM audit_log WHERE seq > $1
    """
let auditHeadSQL = "SELECT max(seq) AS head FROM audit_log"

/// `Ledger.auditEntries(after:)`'s answer from the row of `auditEntriesSQL`: a log that no longer reaches `seq` (a
/// ledger restored under a running server) is a change too.
func auditEntriesAnswer(head: Int64?, beyond: Int64?, after seq: Int64) -> (head: Int64?, beyondIssuance: Bool) {
    (head, (beyond ?? 0) > 0 || (head ?? 0) < seq)
}

/// Facts a per-request path reads again and again (a vendor's definition and PAI for a DAC request, an API token's
/// credential), kept in memory for as long as the audit log shows no change beyond DAC issuance: an answer costs
/// one indexed read of the entries recorded since the previous answer, instead of the reads that made the fact.
/// Exact, not timed: a vendor import, a revocation or a token revoked by any process or server is seen by the next
/// request. Failed loads are not kept.
public final class LedgerFactsCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let ledger: any Ledger
    private let lock = NSLock()
    /// The audit seq through which every entry has been checked (nil: not yet). No entry beyond issuance has been
    /// recorded between the load of any kept value and this mark.
    private var checkedThrough: Int64?
    /// Moves whenever the values are dropped: a value loaded across a drop is not kept.
    private var epoch = 0
    private var values: [Key: Value] = [:]
    private let capacity: Int

    public init(ledger: any Ledger, capacity: Int = 4096) {
        self.ledger = ledger
        self.capacity = capacity
    }

    /// The value of `key`: kept, or made by `load` (which reads the ledger) and kept when `keep` says so.
    public func value(_ key: Key, keep: (Value) -> Bool = { _ in true }, load: () throws -> Value) throws -> Value {
        let since = lock.withLock { checkedThrough }
        let (head, beyond) = try ledger.auditEntries(after: since)
        let (kept, loadEpoch) = lock.withLock { () -> (Value?, Int) in
            if beyond { values.removeAll(keepingCapacity: true); epoch += 1 }
            // Only a check from the current mark moves it: a concurrent one covered the same entries.
            if checkedThrough == since { checkedThrough = head ?? 0 }
            return (values[key], epoch)
        }
        if let kept { return kept }
        // Loaded after the check: it holds every change up to `head`; a later change is seen by the next check.
        let value = try load()
        lock.withLock {
            guard epoch == loadEpoch, keep(value) else { return }
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[key] = value
        }
        return value
    }
}

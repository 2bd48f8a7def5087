import Crypto
import Dispatch
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder
#if canImport(Glibc)
import Glibc
#endif

extension Authority {
    public static let batchChunk = 512
    /// How long a batch stays claimed by the process issuing it without a renewal (renewed every chunk).
    public static let batchLease: TimeInterval = 120

    /// `matter-ca dac batch`: one authorization, CSR checks, output location, idempotency, a lease on the batch, then
    /// issuance in chunks through the one issue path — each chunk signed concurrently and committed in one
    /// transaction before any of its files is written. `paiSigner` replaces the PAI's token key, for benchmarks.
    public func issueBatch(_ r: DACBatchRequest, paiSigner: (any Signer)? = nil,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> DACBatchResult {
        let (grant, csrKeys) = try checkBatch(r)
        let principal = grant.principal
        let paiRecord = grant.issuer!
        try OutputLocation.prepare(r.output, partials: true)
        // The request as a canonical encoding, bound to the template: the same key with another template, PAI,
        // count or set of device keys is a different request.
        var parts = ["dac batch v2", r.kind, r.vendor.hex, r.pid.hex, paiRecord.skid, String(r.count), grant.template.fingerprint]
        parts += csrKeys.map { Array(SHA256.hash(data: $0.x963Representation)).hexString }
        let requestSHA = Canonical.sha256(parts)

        let key = r.idempotencyKey ?? UUID().uuidString
        var batch: BatchRecord
        if let existing = try ledger.batch(idempotencyKey: key) {
            guard existing.requestSHA256 == requestSHA else { throw BatchError.idempotencyConflict(key: key) }
            if existing.status == "completed" { return try returned(existing, r) }
            guard r.resume else { throw BatchError.interrupted(key: key) }
            batch = existing
        } else {
            guard !r.resume else { throw BatchError.nothingToResume(key: r.idempotencyKey) }
            batch = BatchRecord(id: UUID().uuidString, idempotencyKey: key, vid: Int(r.vendor.rawValue), pid: Int(r.pid.rawValue),
                                paiSKID: paiRecord.skid, kind: r.kind, count: r.count, requestSHA256: requestSHA, status: "started",
                                createdAt: clock(), completedAt: nil, outputPath: r.output.path)
            do { try ledger.createBatch(batch, actor: principal.description) } catch LedgerError.idempotencyKeyTaken {
                // Another request claimed the key between our read and our write: it is theirs to issue.
                throw BatchError.interrupted(key: key)
            }
        }
        try claim(batch, lease: r.lease)
        defer { try? checkpoint() }
        // Another run may have completed it between our read and our claim: then it is returned, not issued.
        if let now = try ledger.batch(id: batch.id), now.status == "completed" { return try returned(now, r) }

        // Every chunk's first signature (and one in 512) is verified before the chunk is committed; see
        // SpotCheckedSigner for why not each one.
        let paiKey = try paiSigner ?? signer(for: paiRecord)
        let issuer = try issuerContext(for: grant, signer: SpotCheckedSigner(paiKey, every: Self.batchChunk))!
        let out = BatchOutput(authority: self, batch: batch, output: r.output, csrNames: Self.csrNames(r.source), formats: r.formats)
        if r.kind == "generated" { try OutputLocation.prepare(out.staging) }
        let done = try ledger.batchItemsIssued(batch.id)
        let remaining = (0..<r.count).filter { !done.contains($0) }
        progress?(done.count, r.count)
        // Three stages, each on its own thread: this one signs chunk k+2 while chunk k+1 is committed and chunk k's
        // files are written, so the CPU signs during the ledger's fsync and the file system's work. A chunk's files
        // go out only after its commit; every exit waits for what is in flight.
        let delivery = ChunkDelivery()
        defer { delivery.drain() }
        let batchID = batch.id, actor = principal.description
        for start in stride(from: 0, to: remaining.count, by: Self.batchChunk) {
            let items = Array(remaining[start..<min(start + Self.batchChunk, remaining.count)])
            let keys: [P256.Signing.PublicKey]
            var factoryKeys: [FactoryKey]?
            switch r.source {
            case .csrs: keys = items.map { csrKeys[$0] }
            case .generated:
                do { factoryKeys = try out.staged.stage(items) } catch let e as FactoryKeys.InconsistentKey { throw e } catch {
                    throw BatchError.outputFailed(key: key, reason: "\(error)")
                }
                keys = factoryKeys!.map(\.key.publicKey)
            }
            let signed = try issueChunk(items: items, keys: keys, grant: grant, issuer: issuer)
            try delivery.check()
            progress?(done.count + delivery.delivered, r.count)
            if r.shouldStop?() == true {
                try delivery.wait()
                throw BatchError.stopped(key: key, issued: done.count + delivery.delivered)
            }
            try claim(batch, lease: r.lease)
            let fk = factoryKeys
            delivery.submit(items: items.count, commit: { () throws -> [CertificateRecord] in
                var certificates = signed
                for attempt in 1... {
                    let records = zip(items, certificates).map { item, c in self.record(c, grant: grant, batchID: batchID, item: item) }
                    do { try self.ledger.commitChunk(records, batchID: batchID, actor: actor) } catch LedgerError.serialCollision where attempt < 3 {
                        // A fresh random serial for every certificate of the chunk; none of them ever left.
                        certificates = try self.issueChunk(items: items, keys: keys, grant: grant, issuer: issuer)
                        continue
                    }
                    return records
                }
                fatalError("unreachable")
            }, write: { records in
                // Committed: only now do the certificates (and their keys) go out.
                do { try out.write(Array(zip(items, records)), keys: fk) } catch { throw BatchError.outputFailed(key: key, reason: "\(error)") }
            })
        }
        try delivery.wait()
        let issuedNow = delivery.delivered
        progress?(done.count + issuedNow, r.count)
        // Every file in place first, then "completed": another instance hands the keys out as soon as it reads that
        // status, so a batch completed before a crashed run's last chunks were written lost their keys to it.
        let manifest: [ManifestItem]
        do { manifest = try out.finalize(requireKeys: true) } catch let e as BatchError {
            // Lost keys cannot come back: the batch is as complete as it can be, and the error says which.
            if case .keysLost = e { try ledger.completeBatch(batch.id, actor: principal.description) }
            throw e
        } catch {
            throw BatchError.outputFailed(key: key, reason: "\(error)")
        }
        try ledger.completeBatch(batch.id, actor: principal.description)
        batch = try ledger.batch(id: batch.id) ?? batch
        return DACBatchResult(batch: batch, items: manifest, reused: false, newlyIssued: issuedNow, stagingLeft: out.removeStaging())
    }

    /// A completed batch asked for again: its certificates from the ledger, nothing signed.
    private func returned(_ batch: BatchRecord, _ r: DACBatchRequest) throws -> DACBatchResult {
        let items = try BatchOutput(authority: self, batch: batch, output: r.output, csrNames: Self.csrNames(r.source), formats: r.formats).finalize(requireKeys: false)
        return DACBatchResult(batch: batch, items: items, reused: true, newlyIssued: 0, stagingLeft: nil)
    }

    /// Everything about a batch request that can be refused before anything is recorded: size, the one
    /// authorization, every CSR. A server calls it to answer 4xx at once, before it queues the job.
    @discardableResult
    public func checkBatch(_ r: DACBatchRequest) throws -> (Grant, [P256.Signing.PublicKey]) {
        guard r.count > 0 else { throw BatchError.empty }
        guard r.count <= r.maxBatchSize else { throw BatchError.tooLarge(count: r.count, max: r.maxBatchSize) }
        let grant = try authorize(IssueRequest(.dac(vendor: r.vendor, pid: r.pid, pai: r.pai), name: ""), by: r.principal ?? .operator(actor))
        return (grant, try CSRCheck.keys(r.source))
    }

    /// Signs one chunk concurrently, each certificate through the one issue path.
    func issueChunk(items: [Int], keys: [P256.Signing.PublicKey], grant: Grant, issuer: IssuerContext) throws -> [IssuedCertificate] {
        let now = clock()
        let results = Parallel.map(Array(keys.indices)) { i in Result { try self.sign(grant, publicKey: keys[i], issuer: issuer, now: now) } }
        return try results.map { try $0.get() }
    }

    /// This process's claim on a batch: two runs of one batch never sign side by side.
    func claim(_ batch: BatchRecord, lease: TimeInterval) throws {
        try ledger.claimBatch(id: batch.id, owner: Self.leaseOwner, until: clock().addingTimeInterval(lease), ownerIsGone: Self.isGone)
    }

    /// The node this process runs on: MATTER_CA_NODE (servers of one authority on several machines, or several
    /// instances given distinct names), else the host name.
    public static let node = ProcessInfo.processInfo.environment["MATTER_CA_NODE"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
    public static let leaseOwner = "\(node):\(getpid())"

    /// Whether a batch is held right now by a live process (this one included).
    public static func isHeld(_ batch: BatchRecord, at now: Date) -> Bool {
        guard let owner = batch.leaseOwner, let until = batch.leaseUntil, until > now else { return false }
        return !isGone(owner)
    }

    /// A lease held by a process of this node that no longer exists is free at once (a killed run can be resumed
    /// without waiting for the lease to expire); a lease of another node is free only when it expires.
    public static func isGone(_ owner: String) -> Bool {
        guard let colon = owner.lastIndex(of: ":"), String(owner[..<colon]) == node, let pid = Int32(owner[owner.index(after: colon)...]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    static func csrNames(_ s: DACBatchRequest.Source) -> [String]? {
        if case .csrs(let c) = s { return c.map(\.name) }
        return nil
    }
}

/// The commit and the file writes of a batch's chunks, each on its own serial queue behind the signing thread. At
/// most two chunks are between signed and delivered; after a failure nothing more is committed (chunks already
/// committed are still written).
final class ChunkDelivery: @unchecked Sendable {
    private let commits = DispatchQueue(label: "matter-ca.batch.commit")
    private let writes = DispatchQueue(label: "matter-ca.batch.write")
    private let group = DispatchGroup()
    private let slots = DispatchSemaphore(value: 2)
    private let lock = NSLock()
    private var failure: Error?
    private var count = 0

    /// Items whose chunk is committed and written.
    var delivered: Int { lock.withLock { count } }

    /// `commit` runs on the commit queue; what it committed goes to `write` on the write queue.
    func submit<Committed>(items: Int, commit: @escaping @Sendable () throws -> Committed,
                           write: @escaping @Sendable (Committed) throws -> Void) {
        slots.wait()
        group.enter()
        commits.async {
            let committed: Committed
            do {
                guard self.lock.withLock({ self.failure == nil }) else { throw CancellationError() }
                committed = try commit()
            } catch {
                self.fail(error)
                self.slots.signal(); self.group.leave()
                return
            }
            nonisolated(unsafe) let handed = committed   // passed from this queue to the next, never shared
            self.writes.async {
                defer { self.slots.signal(); self.group.leave() }
                do { try write(handed); self.lock.withLock { self.count += items } } catch { self.fail(error) }
            }
        }
    }

    private func fail(_ error: Error) {
        lock.withLock { if failure == nil && !(error is CancellationError) { failure = error } }
    }

    /// The first failure so far, if any, without waiting.
    func check() throws { if let f = lock.withLock({ failure }) { throw f } }

    /// Waits for everything in flight; rethrows the first failure.
    func wait() throws {
        group.wait()
        try check()
    }

    /// Waits without throwing: on the way out of a failed batch nothing may still be writing.
    func drain() { group.wait() }
}

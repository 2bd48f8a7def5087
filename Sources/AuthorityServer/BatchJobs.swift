import Authority
import Crypto
import Foundation
import Ledger
import Logging
import MatterPKI
import Metrics
import ServiceLifecycle

/// Batch jobs of `POST /v1/batches`: each runs on a thread of its own, writes into `<home>/jobs/<id>/`, and is
/// visible through the ledger (its progress survives a restart). A graceful shutdown stops every job after its
/// current chunk. The jobs folder and the ledger are a queue shared by every instance of the home: a job is held
/// by a lease in the ledger, renewed every chunk; each instance polls for unfinished jobs whose lease has ended
/// (an instance that died, or was stopped) and resumes them from the last committed chunk.
final class BatchJobs: Service, @unchecked Sendable {
    struct Saved: Codable {
        var vendor, pid, pai, idempotencyKey: String
        var count: Int?
        var csrs: [String]?
        var principal: String
        var principalVID: String?
        var principalRole: String
    }

    enum State: Equatable { case running, failed(String), stopped }

    let authority: Authority
    let directory: URL
    let maxConcurrent: Int
    /// A job's lease; an instance that stops renewing it loses the job to another one this long after.
    let lease: TimeInterval
    let logger: Logger
    private let lock = NSLock()
    private var states: [String: State] = [:]
    private var stopping = false
    private let idle = DispatchGroup()

    init(authority: Authority, maxConcurrent: Int, lease: TimeInterval = Authority.batchLease, logger: Logger) {
        self.authority = authority
        directory = authority.home.root.appendingPathComponent("jobs")
        self.maxConcurrent = maxConcurrent
        self.lease = lease
        self.logger = logger
    }

    static func folderName(_ key: String) -> String { Array(SHA256.hash(data: Data(key.utf8)).prefix(16)).lowercaseHexString }
    func folder(_ key: String) -> URL { directory.appendingPathComponent(Self.folderName(key)) }

    /// Checks and queues a job; refusals come back at once, before anything is recorded.
    func submit(_ saved: Saved, principal: Principal) throws {
        let request = try makeRequest(saved, principal: principal)
        try authority.checkBatch(request)
        if let existing = try authority.ledger.batch(idempotencyKey: saved.idempotencyKey) {
            guard existing.outputPath == folder(saved.idempotencyKey).path else {
                throw Problem(.conflict, "idempotency-conflict", "idempotency key \"\(saved.idempotencyKey)\" belongs to a batch that was not made through this API")
            }
            if existing.status == "completed" || isRunning(saved.idempotencyKey) { return }
        }
        try lock.withLock {
            guard !stopping else { throw Problem(.serviceUnavailable, "shutting-down", "the server is shutting down; retry on another instance", retryAfter: 5) }
            if states[saved.idempotencyKey] == .running { return }
            let running = states.values.filter { $0 == .running }.count
            guard running < maxConcurrent else {
                throw Problem(.serviceUnavailable, "too-many-batches", "\(running) batch jobs are running (the limit is \(maxConcurrent)); retry later", retryAfter: 10)
            }
            states[saved.idempotencyKey] = .running
        }
        try FileManager.default.createDirectory(at: folder(saved.idempotencyKey), withIntermediateDirectories: true)
        try FileOutput.write(try JSONEncoder().encode(saved), to: folder(saved.idempotencyKey).appendingPathComponent("request.json"), mode: 0o600)
        start(saved, request: request)
    }

    func makeRequest(_ s: Saved, principal: Principal) throws -> DACBatchRequest {
        guard let vid = VendorID(hex: s.vendor) else { throw Problem.badRequest("bad-id", "vendor \"\(s.vendor)\" is not a 16-bit hex VID") }
        guard let pid = ProductID(hex: s.pid) else { throw Problem.badRequest("bad-id", "pid \"\(s.pid)\" is not a 16-bit hex PID") }
        let source: DACBatchRequest.Source
        switch (s.count, s.csrs) {
        case (let n?, nil):
            guard n > 0 else { throw Problem.badRequest("bad-count", "count must be at least 1") }
            source = .generated(count: n)
        case (nil, let csrs?):
            guard !csrs.isEmpty else { throw Problem.badRequest("bad-csr", "csrs is empty") }
            source = .csrs(try csrs.enumerated().map { i, text in
                guard let d = Data(base64Encoded: text), !d.isEmpty else {
                    throw Problem.badRequest("bad-base64", "csrs[\(i)] is not base64")
                }
                return ("csrs[\(i)]", Array(d))
            })
        default: throw Problem.badRequest("bad-request", "give exactly one of count (keys generated here) or csrs (base64 DER PKCS#10)")
        }
        var r = DACBatchRequest(vendor: vid, pid: pid, pai: s.pai, source: source, idempotencyKey: s.idempotencyKey, resume: false,
                                output: folder(s.idempotencyKey), principal: principal)
        r.lease = lease
        return r
    }

    private func start(_ saved: Saved, request: DACBatchRequest) {
        var r = request
        r.shouldStop = { [weak self] in self?.isStopping ?? true }
        r.resume = (try? authority.ledger.batch(idempotencyKey: saved.idempotencyKey)) != nil
        let job = r
        idle.enter()
        let thread = Thread { [self] in
            defer { idle.leave() }
            do {
                let result = try authority.issueBatch(job)
                Recorder(label: "matter_ca_batch_size").record(result.items.count)
                Counters.increment("matter_ca_certificates_issued_total", [("type", "dac"), ("route", "batch")], by: result.newlyIssued)
                lock.withLock { states[saved.idempotencyKey] = nil }
                logger.info("batch job completed", metadata: ["idempotencyKey": "\(saved.idempotencyKey)", "count": "\(result.items.count)"])
            } catch let LedgerError.batchLeased(_, owner, _) {
                // Another instance took the job first: it is theirs, and this one forgets it.
                lock.withLock { states[saved.idempotencyKey] = nil }
                logger.info("batch job is held by another instance", metadata: ["idempotencyKey": "\(saved.idempotencyKey)", "owner": "\(owner)"])
            } catch let e as BatchError {
                if case .stopped = e { lock.withLock { states[saved.idempotencyKey] = .stopped } } else {
                    lock.withLock { states[saved.idempotencyKey] = .failed(e.description) }
                }
                logger.warning("batch job ended: \(e)")
            } catch {
                lock.withLock { states[saved.idempotencyKey] = .failed("\(error)") }
                logger.warning("batch job failed: \(error)")
            }
        }
        thread.start()
    }

    var isStopping: Bool { lock.withLock { stopping } }
    func isRunning(_ key: String) -> Bool { lock.withLock { states[key] == .running } }
    func state(_ key: String) -> State? { lock.withLock { states[key] } }

    /// Jobs the ledger shows unfinished and nobody holds, from their saved requests. At start-up (after a restart or
    /// a crash): every unfinished batch not held by a live process of another node. At each poll: the batches whose
    /// lease ended (an instance died or stopped renewing). Batches without a saved request (made by the CLI) are not
    /// the server's to resume.
    func resumeUnfinished(polling: Bool = false) {
        guard !isStopping else { return }
        let now = authority.clock()
        let candidates = polling ? (try? authority.ledger.claimableBatches(now: now)) ?? []
            : ((try? authority.ledger.batches()) ?? []).filter { b in
                b.status != "completed" && (b.leaseOwner == Authority.leaseOwner || !Authority.isHeld(b, at: now))
            }
        for batch in candidates {
            let file = folder(batch.idempotencyKey).appendingPathComponent("request.json")
            guard let data = try? Data(contentsOf: file), let saved = try? JSONDecoder().decode(Saved.self, from: data) else { continue }
            let principal: Principal = saved.principalRole == "admin" ? .admin(saved.principal)
                : .vendor(VendorID(hex: saved.principalVID ?? "") ?? VendorID(0), credential: saved.principal)
            do {
                let request = try makeRequest(saved, principal: principal)
                // Checked and taken at once: a request submitted meanwhile must not start the same job twice here.
                let taken = lock.withLock { () -> Bool in
                    guard !stopping, states[saved.idempotencyKey] != .running, states.values.filter({ $0 == .running }).count < maxConcurrent else { return false }
                    states[saved.idempotencyKey] = .running
                    return true
                }
                guard taken else { continue }
                logger.info("resuming batch job", metadata: ["idempotencyKey": "\(saved.idempotencyKey)"])
                start(saved, request: request)
            } catch { logger.error("cannot resume batch job \(saved.idempotencyKey): \(error)") }
        }
    }

    /// Service: polls for abandoned jobs until graceful shutdown, then stops every job after its current chunk and
    /// waits for it.
    func run() async throws {
        let poll = Duration.milliseconds(Int64(max(0.5, lease / 3) * 1000))
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: poll) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async { self.resumeUnfinished(polling: true); c.resume() }
            }
        }
        lock.withLock { stopping = true }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in idle.notify(queue: .global()) { c.resume() } }
        logger.info("batch jobs stopped")
    }
}

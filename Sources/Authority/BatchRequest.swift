import Crypto
import _CryptoExtras
import Foundation
import Ledger
import MatterPKI
import X509

public struct DACBatchRequest: Sendable {
    public enum Source: Sendable {
        /// PKCS#10 CSRs (DER), each with the file it came from: keys generated on the devices.
        case csrs([(name: String, der: [UInt8])])
        /// Keys generated here for the factory, delivered with the DACs and never stored.
        case generated(count: Int)
    }
    public var vendor: VendorID
    public var pid: ProductID
    public var pai: String
    public var source: Source
    public var idempotencyKey: String?
    public var resume = false
    public var output: URL
    public var maxBatchSize = 100_000
    /// How long the batch stays claimed without a renewal (renewed every chunk); after it, another process or
    /// server instance may resume the batch.
    public var lease: TimeInterval = Authority.batchLease
    /// Who asks; the CLI's operator when nil.
    public var principal: Principal?
    /// Asked between chunks (a server shutting down): the batch stops after a committed, delivered chunk, to be
    /// resumed later.
    public var shouldStop: (@Sendable () -> Bool)?
    /// The files of each device: PEM and DER (the default), or one of them. esp-matter-mfg-tool's `--dac-cert` and
    /// `--dac-key` read the PEM files; a factory that feeds it needs no DER copies, and on a real disk every file is
    /// an inode to allocate.
    public var formats: OutputFormats = .both

    public init(vendor: VendorID, pid: ProductID, pai: String, source: Source, idempotencyKey: String? = nil, resume: Bool = false,
                output: URL, maxBatchSize: Int = 100_000, principal: Principal? = nil) {
        self.vendor = vendor; self.pid = pid; self.pai = pai; self.source = source; self.idempotencyKey = idempotencyKey
        self.resume = resume; self.output = output; self.maxBatchSize = maxBatchSize; self.principal = principal
    }

    var count: Int {
        switch source { case .csrs(let c): return c.count; case .generated(let n): return n }
    }
    var kind: String {
        if case .csrs = source { return "csr" }
        return "generated"
    }
}

/// Which encodings of a device's certificate (and generated key) a batch writes.
public enum OutputFormats: String, Sendable, CaseIterable {
    case both, pem, der
    var pem: Bool { self != .der }
    var der: Bool { self != .pem }
    /// The file the manifest names: the PEM one when there is one.
    var named: String { pem ? "pem" : "der" }
}

public struct ManifestItem: Codable, Sendable, Equatable {
    public let index: Int
    public let serial: String
    public let vid: String
    public let pid: String
    public let skid: String
    public let sha256: String
    public let csrFile: String?
    public let certificate: String
    public let key: String?
}

public struct DACBatchResult: Sendable {
    public let batch: BatchRecord
    public let items: [ManifestItem]
    /// The batch had been completed already under this idempotency key: nothing was signed.
    public let reused: Bool
    public let newlyIssued: Int
    /// Set when the staging folder of generated keys could not be removed: it still holds plaintext keys.
    public let stagingLeft: String?
}

public enum BatchError: Error, CustomStringConvertible {
    case empty
    case tooLarge(count: Int, max: Int)
    case badCSRs([(file: String, reason: String)])
    case idempotencyConflict(key: String)
    case interrupted(key: String)
    case nothingToResume(key: String?)
    case keysLost(items: [Int])
    /// Output failed after some chunks were committed: those certificates are in the ledger, the rest is not signed.
    case outputFailed(key: String, reason: String)
    /// Stopped on request between two chunks: everything issued so far is in the ledger and delivered.
    case stopped(key: String, issued: Int)

    public var description: String {
        switch self {
        case .empty: return "an empty batch: nothing to issue"
        case .tooLarge(let n, let m): return "a batch of \(n) DACs exceeds the maximum of \(m); nothing was signed"
        case .badCSRs(let list):
            return "the batch is refused, nothing was signed; \(list.count) CSR(s) are not acceptable:\n" + list.map { "  \($0.file): \($0.reason)" }.joined(separator: "\n")
        case .idempotencyConflict(let k): return "idempotency key \"\(k)\" was used for a different request (or template); nothing was signed"
        case .interrupted(let k): return "batch \"\(k)\" was interrupted; run the same request with --resume to complete it"
        case .nothingToResume(let k): return k.map { "no interrupted batch has idempotency key \"\($0)\"" } ?? "--resume needs --idempotency-key"
        case .keysLost(let items): return "generated keys missing for items \(items.prefix(10)); those DACs are not delivered"
        case .outputFailed(let k, let r):
            return "batch \"\(k)\" stopped: \(r). Every certificate written so far is in the ledger; free the space or fix the output, then run the same request with --resume"
        case .stopped(let k, let n): return "batch \"\(k)\" stopped on request after \(n) certificates; resume it with the same request"
        }
    }
}

/// Why one CSR is not acceptable.
public struct CSRProblem: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public var description: String { reason }
}

public enum CSRCheck {
    /// One PKCS#10 request: it parses, its signature verifies, and its key is P-256.
    public static func key(_ der: [UInt8], name: String) -> Result<P256.Signing.PublicKey, CSRProblem> {
        let csr: CertificateSigningRequest
        do { csr = try CertificateSigningRequest(derEncoded: der) } catch { return .failure(.init(file: name, reason: "not a PKCS#10 certificate request (\(error))")) }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else { return .failure(.init(file: name, reason: "the CSR's signature does not verify")) }
        guard let key = P256.Signing.PublicKey(csr.publicKey) else {
            return .failure(.init(file: name, reason: "the key is not P-256 (\(keyName(csr.publicKey)))"))
        }
        return .success(key)
    }

    /// Parses and verifies every CSR (in parallel: a factory batch holds thousands); reports all problems in file
    /// order. Keys must be P-256, and no two devices may share one.
    static func keys(_ source: DACBatchRequest.Source) throws -> [P256.Signing.PublicKey] {
        guard case .csrs(let csrs) = source else { return [] }
        let checked = Parallel.map(csrs) { name, der in key(der, name: name) }
        var keys: [P256.Signing.PublicKey] = []
        var bad: [(String, String)] = []
        var seen: [Data: String] = [:]
        for ((name, _), r) in zip(csrs, checked) {
            switch r {
            case .failure(let p): bad.append((p.file, p.reason))
            case .success(let key):
                if let other = seen[key.x963Representation] { bad.append((name, "same public key as \(other)")); continue }
                seen[key.x963Representation] = name
                keys.append(key)
            }
        }
        guard bad.isEmpty else { throw BatchError.badCSRs(bad) }
        return keys
    }

    static func keyName(_ k: Certificate.PublicKey) -> String {
        if P384.Signing.PublicKey(k) != nil { return "P-384" }
        if P521.Signing.PublicKey(k) != nil { return "P-521" }
        if _RSA.Signing.PublicKey(k) != nil { return "RSA" }
        return "\(k)"
    }
}

/// `map` over both cores, results in input order.
enum Parallel {
    static func map<T, U>(_ input: [T], _ f: (T) -> U) -> [U] {
        let out = UnsafeMutableBufferPointer<U?>.allocate(capacity: input.count)
        out.initialize(repeating: nil)
        defer {
            out.deinitialize()
            out.deallocate()
        }
        input.withUnsafeBufferPointer { inp in
            withoutActuallyEscaping(f) { f in
                // Each index is written by exactly one iteration, and everything outlives concurrentPerform.
                nonisolated(unsafe) let o = out, i = inp, g = f
                DispatchQueue.concurrentPerform(iterations: i.count) { n in o[n] = g(i[n]) }
            }
        }
        return out.map { $0! }
    }
}

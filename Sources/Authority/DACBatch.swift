import CertificateTemplates
import Crypto
import _CryptoExtras
import Dispatch
import Foundation
import Ledger
import MatterPKI
import Signing
import SwiftASN1
import X509
import X509Builder
#if canImport(Glibc)
import Glibc
#endif

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

    public init(vendor: VendorID, pid: ProductID, pai: String, source: Source, idempotencyKey: String? = nil, resume: Bool = false,
                output: URL, maxBatchSize: Int = 100_000) {
        self.vendor = vendor; self.pid = pid; self.pai = pai; self.source = source; self.idempotencyKey = idempotencyKey
        self.resume = resume; self.output = output; self.maxBatchSize = maxBatchSize
    }

    var count: Int {
        switch source { case .csrs(let c): return c.count; case .generated(let n): return n }
    }
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
}

public enum BatchError: Error, CustomStringConvertible {
    case empty
    case tooLarge(count: Int, max: Int)
    case badCSRs([(file: String, reason: String)])
    case idempotencyConflict(key: String)
    case interrupted(key: String)
    case nothingToResume(key: String?)
    case keysLost(items: [Int])

    public var description: String {
        switch self {
        case .empty: return "an empty batch: nothing to issue"
        case .tooLarge(let n, let m): return "a batch of \(n) DACs exceeds the maximum of \(m); nothing was signed"
        case .badCSRs(let list):
            return "the batch is refused, nothing was signed; \(list.count) CSR(s) are not acceptable:\n" + list.map { "  \($0.file): \($0.reason)" }.joined(separator: "\n")
        case .idempotencyConflict(let k): return "idempotency key \"\(k)\" was used for a different request; nothing was signed"
        case .interrupted(let k): return "batch \"\(k)\" was interrupted; run the same request with --resume to complete it"
        case .nothingToResume(let k): return k.map { "no interrupted batch has idempotency key \"\($0)\"" } ?? "--resume needs --idempotency-key"
        case .keysLost(let items): return "generated keys missing for items \(items.prefix(10)); those DACs are not delivered"
        }
    }
}

extension Authority {
    public static let batchChunk = 512

    /// `matter-ca dac batch`: authorization, CSR checks, idempotency, then issuance in chunks — each chunk signed
    /// concurrently through the session pool and committed in one transaction before any of its files is written.
    /// `paiSigner` replaces the PAI's token key, for benchmarks comparing against a software key (it must be the
    /// key of the PAI certificate in the ledger; the builder refuses anything else).
    public func issueBatch(_ r: DACBatchRequest, paiSigner: (any Signer)? = nil,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> DACBatchResult {
        guard r.count > 0 else { throw BatchError.empty }
        guard r.count <= r.maxBatchSize else { throw BatchError.tooLarge(count: r.count, max: r.maxBatchSize) }
        let (_, paiRecord) = try authorizeDAC(vendor: r.vendor, pid: r.pid, pai: r.pai)
        let csrKeys = try Self.checkCSRs(r.source)
        let kind: String
        var requestParts = [r.vendor.hex, r.pid.hex, paiRecord.skid, String(r.count)]
        switch r.source {
        case .csrs: kind = "csr"; requestParts += csrKeys.map { Array(SHA256.hash(data: $0.x963Representation)).hexString }
        case .generated: kind = "generated"
        }
        let requestSHA = Array(SHA256.hash(data: Data((["dac", kind] + requestParts).joined(separator: "|").utf8))).hexString

        var batch: BatchRecord
        let key = r.idempotencyKey ?? UUID().uuidString
        if let existing = try ledger.batch(idempotencyKey: key) {
            guard existing.requestSHA256 == requestSHA else { throw BatchError.idempotencyConflict(key: key) }
            if existing.status == "completed" {
                let items = try finalizeOutput(existing, kind: kind, csrNames: Self.csrNames(r.source), output: r.output, requireKeys: false)
                return DACBatchResult(batch: existing, items: items, reused: true, newlyIssued: 0)
            }
            guard r.resume else { throw BatchError.interrupted(key: key) }
            batch = existing
        } else {
            guard !r.resume else { throw BatchError.nothingToResume(key: r.idempotencyKey) }
            batch = BatchRecord(id: UUID().uuidString, idempotencyKey: key, vid: Int(r.vendor.rawValue), pid: Int(r.pid.rawValue),
                                paiSKID: paiRecord.skid, kind: kind, count: r.count, requestSHA256: requestSHA, status: "started",
                                createdAt: Date(), completedAt: nil)
            try ledger.createBatch(batch, actor: actor)
        }

        let issuer = try IssuerContext(certificate: try certificate(of: paiRecord), type: .pai, signer: try paiSigner ?? signer(for: paiRecord))
        try FileManager.default.createDirectory(at: r.output, withIntermediateDirectories: true)
        let staging = r.output.appendingPathComponent(".staging-\(batch.id)")
        if kind == "generated" { try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true) }
        let done = try ledger.batchItemsIssued(batch.id)
        let remaining = (0..<r.count).filter { !done.contains($0) }
        var issuedNow = 0
        progress?(done.count, r.count)
        for start in stride(from: 0, to: remaining.count, by: Self.batchChunk) {
            let items = Array(remaining[start..<min(start + Self.batchChunk, remaining.count)])
            let keys: [P256.Signing.PublicKey]
            switch r.source {
            case .csrs: keys = items.map { csrKeys[$0] }
            case .generated:
                keys = try Parallel.map(items) { i in Result { try Self.stagedKey(item: i, in: staging).publicKey } }.map { try $0.get() }
            }
            var attempt = 0
            while true {
                attempt += 1
                let issued = try issueChunk(items: items, keys: keys, request: r, issuer: issuer)
                let records = zip(items, issued).map { item, c in
                    CertificateRecord(issuerSKID: paiRecord.skid, serial: c.certificate.serialHex, type: "dac", subject: "\(c.certificate.subject)",
                                      skid: c.certificate.subjectKeyIdentifier!.hexString, vid: Int(r.vendor.rawValue), pid: Int(r.pid.rawValue),
                                      notBefore: c.certificate.notBefore.date, notAfter: c.certificate.notAfter.date, der: Data(c.der),
                                      sha256: c.certificate.sha256.hexString, batchID: batch.id, batchItem: item, createdAt: Date())
                }
                do { try ledger.commitChunk(records, batchID: batch.id, actor: actor) } catch Ledger.LedgerError.serialCollision where attempt < 3 { continue }
                // Committed: only now do the certificates (and their keys) go out.
                let pairs = Array(zip(items, records))
                for result in Parallel.map(pairs, { item, rec in Result { try self.writeItem(rec, item: item, kind: kind, output: r.output, staging: staging) } }) {
                    try result.get()
                }
                break
            }
            issuedNow += items.count
            progress?(done.count + issuedNow, r.count)
        }
        try ledger.completeBatch(batch.id, actor: actor)
        batch = try ledger.batch(id: batch.id) ?? batch
        let manifest = try finalizeOutput(batch, kind: kind, csrNames: Self.csrNames(r.source), output: r.output, requireKeys: true)
        try? FileManager.default.removeItem(at: staging)
        return DACBatchResult(batch: batch, items: manifest, reused: false, newlyIssued: issuedNow)
    }

    func issueChunk(items: [Int], keys: [P256.Signing.PublicKey], request r: DACBatchRequest, issuer: IssuerContext) throws -> [IssuedCertificate] {
        let template = templates[.dac]!
        let now = Date()
        let results = ChunkResults(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            do {
                let spec = try TemplateEngine.prepare(template, CertificateRequest(type: .dac, name: "DAC \(r.vendor.hex)/\(r.pid.hex)", vid: r.vendor,
                                                                                  pid: r.pid, publicKey: keys[i]), now: now)
                results.set(i, .success(try CertificateBuilder.issue(spec, by: issuer)))
            } catch { results.set(i, .failure(error)) }
        }
        return try results.all()
    }

    static func checkCSRs(_ source: DACBatchRequest.Source) throws -> [P256.Signing.PublicKey] {
        guard case .csrs(let csrs) = source else { return [] }
        // Parse and verify in parallel (a factory batch holds thousands); report in file order.
        let checked = Parallel.map(csrs) { name, der -> Result<P256.Signing.PublicKey, BatchCSRProblem> in
            let csr: CertificateSigningRequest
            do { csr = try CertificateSigningRequest(derEncoded: der) } catch { return .failure(.init(file: name, reason: "not a PKCS#10 certificate request (\(error))")) }
            guard csr.publicKey.isValidSignature(csr.signature, for: csr) else { return .failure(.init(file: name, reason: "the CSR's signature does not verify")) }
            guard let key = P256.Signing.PublicKey(csr.publicKey) else {
                return .failure(.init(file: name, reason: "the key is not P-256 (\(Self.keyName(csr.publicKey)))"))
            }
            return .success(key)
        }
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

    static func csrNames(_ s: DACBatchRequest.Source) -> [String]? {
        if case .csrs(let c) = s { return c.map(\.name) }
        return nil
    }

    /// The factory key of one item, written before its certificate is committed (so that a committed DAC always
    /// has its key), and read back on resume.
    static func stagedKey(item: Int, in staging: URL) throws -> P256.Signing.PrivateKey {
        let url = staging.appendingPathComponent("item-\(item).pem")
        if let pem = try? String(contentsOf: url, encoding: .utf8), let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) { return key }
        let key = P256.Signing.PrivateKey()
        try writeSecret(Data(key.pemRepresentation.utf8), to: url)
        return key
    }

    static func writeSecret(_ data: Data, to url: URL) throws {
        try FileOutput.write(data, to: url, mode: 0o600)
    }

    func writeItem(_ rec: CertificateRecord, item: Int, kind: String, output: URL, staging: URL) throws {
        let pem = CertificateFile.pem(Array(rec.der))
        try FileOutput.write(rec.der, to: output.appendingPathComponent("dac-\(rec.serial).der"))
        try FileOutput.write(Data(pem.utf8), to: output.appendingPathComponent("dac-\(rec.serial).pem"))
        guard kind == "generated" else { return }
        let staged = staging.appendingPathComponent("item-\(item).pem")
        guard let text = try? String(contentsOf: staged, encoding: .utf8), let key = try? P256.Signing.PrivateKey(pemRepresentation: text) else { return }
        try Self.writeSecret(key.derRepresentation, to: output.appendingPathComponent("dac-key-\(rec.serial).der"))
        // The staged PEM becomes the delivered one (a rename, not another write).
        guard rename(staged.path, output.appendingPathComponent("dac-key-\(rec.serial).pem").path) == 0 else {
            throw FileOutput.Failure(description: "cannot move the key of item \(item) into place")
        }
    }

    /// Certificates from the ledger, keys from staging where a crash left them, PAI and PAA, manifest.csv/.json.
    func finalizeOutput(_ batch: BatchRecord, kind: String, csrNames: [String]?, output: URL, requireKeys: Bool) throws -> [ManifestItem] {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let staging = output.appendingPathComponent(".staging-\(batch.id)")
        var lost: [Int] = []
        var items: [ManifestItem] = []
        for rec in try ledger.batchCertificates(batch.id) {
            let item = rec.batchItem ?? -1
            let certFile = "dac-\(rec.serial).pem"
            if !FileManager.default.fileExists(atPath: output.appendingPathComponent(certFile).path) {
                try writeItem(rec, item: item, kind: kind, output: output, staging: staging)
            }
            var keyFile: String?
            if kind == "generated" {
                let k = "dac-key-\(rec.serial).pem"
                if !FileManager.default.fileExists(atPath: output.appendingPathComponent(k).path) {
                    try writeItem(rec, item: item, kind: kind, output: output, staging: staging)
                }
                if FileManager.default.fileExists(atPath: output.appendingPathComponent(k).path) { keyFile = k } else { lost.append(item) }
            }
            items.append(ManifestItem(index: item, serial: rec.serial, vid: String(format: "%04X", batch.vid), pid: String(format: "%04X", batch.pid),
                                      skid: rec.skid, sha256: rec.sha256, csrFile: csrNames.map { $0.indices.contains(item) ? $0[item] : "" },
                                      certificate: certFile, key: keyFile))
        }
        if requireKeys && !lost.isEmpty { throw BatchError.keysLost(items: lost) }
        let pai = try authority(batch.paiSKID, type: "pai")
        let paiCert = try certificate(of: pai)
        try Data(CertificateFile.pem(paiCert.der).utf8).write(to: output.appendingPathComponent("pai.pem"), options: .atomic)
        try Data(paiCert.der).write(to: output.appendingPathComponent("pai.der"), options: .atomic)
        if let parent = pai.parentSKID, let paa = try? authority(parent, type: "paa"), let paaCert = try? certificate(of: paa) {
            try Data(CertificateFile.pem(paaCert.der).utf8).write(to: output.appendingPathComponent("paa.pem"), options: .atomic)
            try Data(paaCert.der).write(to: output.appendingPathComponent("paa.der"), options: .atomic)
        }
        var csv = "index,serial,vid,pid,skid,sha256,csr_file,certificate,key\n"
        for i in items {
            csv += "\(i.index),\(i.serial),\(i.vid),\(i.pid),\(i.skid),\(i.sha256),\(i.csrFile ?? ""),\(i.certificate),\(i.key ?? "")\n"
        }
        try Data(csv.utf8).write(to: output.appendingPathComponent("manifest.csv"), options: .atomic)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        struct Manifest: Encodable { let batch, idempotencyKey, pai: String; let count: Int; let items: [ManifestItem] }
        try enc.encode(Manifest(batch: batch.id, idempotencyKey: batch.idempotencyKey, pai: batch.paiSKID, count: items.count, items: items))
            .write(to: output.appendingPathComponent("manifest.json"), options: .atomic)
        return items
    }
}

struct BatchCSRProblem: Error { let file: String; let reason: String }

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

/// Results of one concurrent chunk, by position.
final class ChunkResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<IssuedCertificate, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<IssuedCertificate, Error>) { lock.withLock { values[i] = r } }
    func all() throws -> [IssuedCertificate] { try lock.withLock { try values.map { try $0!.get() } } }
}

import Crypto
import Foundation
import Ledger
import MatterPKI
#if canImport(Glibc)
import Glibc
#endif

/// A batch's files: per device `dac-<serial>.{der,pem}` (and `dac-key-<serial>.{der,pem}` for generated keys),
/// the PAI and PAA, `manifest.csv` and `manifest.json`. Certificates come from the ledger, so what is written is
/// always what was committed.
struct BatchOutput {
    let authority: Authority
    let batch: BatchRecord
    let output: URL
    let csrNames: [String]?
    var staging: URL { Self.staging(output, batchID: batch.id) }
    /// Where a generated batch stages its factory keys until they are delivered (doctor looks there too).
    static func staging(_ output: URL, batchID: String) -> URL { output.appendingPathComponent(".staging-\(batchID)") }
    /// Paths as strings: Foundation's URL.appendingPathComponent cost a tenth of a 10,000-DAC batch (perf).
    var outputPath: String { output.path }
    var generated: Bool { batch.kind == "generated" }
    /// Items whose files this run wrote whole (every write and rename returned success): `finalize` does not look
    /// for them on disk again.
    let delivered = DeliveredItems()
    /// The factory keys of a generated batch, staged per chunk before their certificates are committed.
    let staged: StagedKeys

    let formats: OutputFormats

    init(authority: Authority, batch: BatchRecord, output: URL, csrNames: [String]?, formats: OutputFormats = .both) {
        self.authority = authority; self.batch = batch; self.output = output; self.csrNames = csrNames; self.formats = formats
        staged = StagedKeys(path: Self.staging(output, batchID: batch.id).path)
    }

    /// `keys`: the chunk's factory keys as staged (generated batches), so that they are not read back from staging.
    func write(_ pairs: [(Int, CertificateRecord)], keys: [FactoryKey]? = nil) throws {
        let partials = try FileOutput.partialDirectory(in: outputPath)
        for i in pairs.indices { try self.writeItem(pairs[i].1, item: pairs[i].0, key: keys?[i], partials: partials) }
        delivered.insert(pairs.map(\.0))
    }

    /// `partials`: `FileOutput.partialDirectory(in: outputPath)`, made once per chunk by the caller.
    func writeItem(_ rec: CertificateRecord, item: Int, key stagedKey: FactoryKey? = nil, partials: String) throws {
        let out = outputPath
        if formats.der { try FileOutput.write(rec.der, toPath: out + "/dac-\(rec.serial).der", partials: partials) }
        if formats.pem { try FileOutput.write(Data(CertificateFile.pem(Array(rec.der)).utf8), toPath: out + "/dac-\(rec.serial).pem", partials: partials) }
        guard generated else { return }
        // The chunk's key as staged, or (a resume) the one an earlier run staged; none means lost, which `finalize`
        // reports.
        guard let key = stagedKey ?? staged.key(of: item).map({ FactoryKey(key: $0, pem: nil) }) else { return }
        if formats.der { try FileOutput.write(key.key.derRepresentation, toPath: out + "/dac-key-\(rec.serial).der", mode: 0o600, partials: partials) }
        if formats.pem { try FileOutput.write(Data(key.pemRepresentation.utf8), toPath: out + "/dac-key-\(rec.serial).pem", mode: 0o600, partials: partials) }
    }

    /// Certificates from the ledger, keys from staging where a crash left them, PAI and PAA, manifests.
    func finalize(requireKeys: Bool) throws -> [ManifestItem] {
        try OutputLocation.prepare(output)
        let fm = FileManager.default
        var lost: [Int] = []
        var items: [ManifestItem] = []
        let vid = String(format: "%04X", batch.vid), pid = String(format: "%04X", batch.pid)
        let partials = try FileOutput.partialDirectory(in: outputPath)
        // Streamed from the ledger in item order, one row at a time: a 100,000-DAC batch held every row (DER and all)
        // at once here.
        try authority.ledger.forEachBatchCertificate(batch.id) { rec in
            let item = rec.batchItem ?? -1
            let certFile = "dac-\(rec.serial).\(formats.named)"
            let keyName = "dac-key-\(rec.serial).\(formats.named)"
            var keyFile: String? = generated ? keyName : nil
            // Delivered whole by this run: nothing to look for. Otherwise (a resume, a repeat) the files are checked.
            if !delivered.contains(item) {
                if !fm.fileExists(atPath: outputPath + "/" + certFile) || (generated && !fm.fileExists(atPath: outputPath + "/" + keyName)) {
                    try writeItem(rec, item: item, partials: partials)
                }
                if generated && !fm.fileExists(atPath: outputPath + "/" + keyName) { keyFile = nil; lost.append(item) }
            }
            items.append(ManifestItem(index: item, serial: rec.serial, vid: vid, pid: pid,
                                      skid: rec.skid, sha256: rec.sha256, csrFile: csrNames.map { $0.indices.contains(item) ? $0[item] : "" },
                                      certificate: certFile, key: keyFile))
        }
        if requireKeys && !lost.isEmpty { throw BatchError.keysLost(items: lost) }
        let inventory = authority.inventory
        let pai = try inventory.authority(batch.paiSKID, type: "pai")
        let paiCert = try inventory.certificate(of: pai)
        try FileOutput.write(Data(CertificateFile.pem(paiCert.der).utf8), to: output.appendingPathComponent("pai.pem"))
        try FileOutput.write(Data(paiCert.der), to: output.appendingPathComponent("pai.der"))
        if let parent = pai.parentSKID {
            let paaCert = try inventory.certificate(of: try inventory.authority(parent, type: "paa"))
            try FileOutput.write(Data(CertificateFile.pem(paaCert.der).utf8), to: output.appendingPathComponent("paa.pem"))
            try FileOutput.write(Data(paaCert.der), to: output.appendingPathComponent("paa.der"))
        }
        try BatchManifest.write(items, batch: batch, to: output)
        FileOutput.removePartials(in: outputPath)
        return items
    }

    /// Removes the staging folder once every key has been delivered; says so when it cannot (it holds plaintext
    /// keys).
    func removeStaging() -> String? { Self.removeStaging(staging) }

    static func removeStaging(_ staging: URL) -> String? {
        guard FileManager.default.fileExists(atPath: staging.path) else { return nil }
        do { try FileManager.default.removeItem(at: staging) } catch {
            return "\(staging.path) (plaintext factory keys) could not be removed: \(OutputLocation.reason(error)); remove it by hand"
        }
        return nil
    }
}

/// The items of one batch run whose files were delivered whole.
final class DeliveredItems: @unchecked Sendable {
    private let lock = NSLock()
    private var items = Set<Int>()
    func insert(_ new: [Int]) { lock.withLock { items.formUnion(new) } }
    func contains(_ item: Int) -> Bool { lock.withLock { items.contains(item) } }
}

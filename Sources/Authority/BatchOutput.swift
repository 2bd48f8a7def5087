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
    var staging: URL { output.appendingPathComponent(".staging-\(batch.id)") }
    /// Paths as strings: Foundation's URL.appendingPathComponent cost a tenth of a 10,000-DAC batch (perf).
    var outputPath: String { output.path }
    var stagingPath: String { output.path + "/.staging-" + batch.id }
    var generated: Bool { batch.kind == "generated" }

    /// The factory key of one item, written (0600 from its first byte) before its certificate is committed, so that
    /// a committed DAC always has its key; read back on resume.
    func stagedKey(item: Int) throws -> P256.Signing.PrivateKey {
        let path = stagingPath + "/item-\(item).pem"
        if let data = FileManager.default.contents(atPath: path), let key = try? P256.Signing.PrivateKey(pemRepresentation: String(decoding: data, as: UTF8.self)) {
            return key
        }
        // Not "compact representable": swift-crypto's default draws keys until one is, about two per key, which
        // nothing here needs.
        let key = P256.Signing.PrivateKey(compactRepresentable: false)
        try FileOutput.write(Data(key.pemRepresentation.utf8), toPath: path, mode: 0o600)
        return key
    }

    func write(_ pairs: [(Int, CertificateRecord)]) throws {
        for result in Parallel.map(pairs, { item, rec in Result { try self.writeItem(rec, item: item) } }) { try result.get() }
    }

    func writeItem(_ rec: CertificateRecord, item: Int) throws {
        let out = outputPath
        try FileOutput.write(rec.der, toPath: out + "/dac-\(rec.serial).der")
        try FileOutput.write(Data(CertificateFile.pem(Array(rec.der)).utf8), toPath: out + "/dac-\(rec.serial).pem")
        guard generated else { return }
        let staged = stagingPath + "/item-\(item).pem"
        guard let data = FileManager.default.contents(atPath: staged),
              let key = try? P256.Signing.PrivateKey(pemRepresentation: String(decoding: data, as: UTF8.self)) else { return }
        try FileOutput.write(key.derRepresentation, toPath: out + "/dac-key-\(rec.serial).der", mode: 0o600)
        // The staged PEM (0600) becomes the delivered one: a rename, not another write.
        guard rename(staged, out + "/dac-key-\(rec.serial).pem") == 0 else {
            throw FileOutput.failure("cannot move the key of item \(item) into place")
        }
    }

    /// Certificates from the ledger, keys from staging where a crash left them, PAI and PAA, manifests.
    func finalize(requireKeys: Bool) throws -> [ManifestItem] {
        try OutputLocation.prepare(output)
        let fm = FileManager.default
        var lost: [Int] = []
        var items: [ManifestItem] = []
        for rec in try authority.ledger.batchCertificates(batch.id) {
            let item = rec.batchItem ?? -1
            let certFile = "dac-\(rec.serial).pem"
            let keyName = "dac-key-\(rec.serial).pem"
            if !fm.fileExists(atPath: output.appendingPathComponent(certFile).path)
                || (generated && !fm.fileExists(atPath: output.appendingPathComponent(keyName).path)) {
                try writeItem(rec, item: item)
            }
            var keyFile: String?
            if generated {
                if fm.fileExists(atPath: output.appendingPathComponent(keyName).path) { keyFile = keyName } else { lost.append(item) }
            }
            items.append(ManifestItem(index: item, serial: rec.serial, vid: String(format: "%04X", batch.vid), pid: String(format: "%04X", batch.pid),
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
        var csv = "index,serial,vid,pid,skid,sha256,csr_file,certificate,key\r\n"
        for i in items {
            csv += [String(i.index), i.serial, i.vid, i.pid, i.skid, i.sha256, i.csrFile ?? "", i.certificate, i.key ?? ""]
                .map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        try FileOutput.write(Data(csv.utf8), to: output.appendingPathComponent("manifest.csv"))
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        struct Manifest: Encodable { let batch, idempotencyKey, pai: String; let count: Int; let items: [ManifestItem] }
        try FileOutput.write(try enc.encode(Manifest(batch: batch.id, idempotencyKey: batch.idempotencyKey, pai: batch.paiSKID, count: items.count, items: items)),
                             to: output.appendingPathComponent("manifest.json"))
        return items
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
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

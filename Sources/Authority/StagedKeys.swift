import Crypto
import Foundation

/// The factory keys of a generated batch, staged before their certificates are committed so that a committed DAC
/// always has its key: one file per chunk (`keys-<uuid>.pem`, 0600 from its first byte, written whole or not at all),
/// each key a PKCS#8 PEM block after an `item N` line. One file per chunk, not per key: a file per key cost two
/// directory operations per device, the largest share of a batch's kernel time (perf). A resume reads them all back.
final class StagedKeys: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    /// Keys an earlier run of the batch staged (raw scalars), by item, read on first need; empty on a fresh batch.
    private var earlier: [Int: Data]?

    init(path: String) { self.path = path }

    /// What an interrupted run left: chunk files, and the one-key files (`item-N.pem`) of earlier versions.
    private func load() -> [Int: Data] {
        let fm = FileManager.default
        var found: [Int: Data] = [:]
        guard let names = try? fm.contentsOfDirectory(atPath: path) else { return found }
        for name in names where name.hasSuffix(".pem") && !name.contains(".partial-") {
            guard let data = fm.contents(atPath: path + "/" + name) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            if name.hasPrefix("item-"), let n = Int(name.dropFirst(5).dropLast(4)),
               let k = try? P256.Signing.PrivateKey(pemRepresentation: text) {
                found[n] = k.rawRepresentation
                continue
            }
            for (n, pem) in Self.blocks(text) {
                if let k = try? P256.Signing.PrivateKey(pemRepresentation: pem) { found[n] = k.rawRepresentation }
            }
        }
        return found
    }

    /// The keys of `items`, in order: those an earlier run staged, and new ones (generated on every core) staged
    /// together in one new file before they are returned, each with the PEM that was staged (delivered as is).
    func stage(_ items: [Int]) throws -> [FactoryKey] {
        var keys: [FactoryKey?] = items.map { key(of: $0).map { FactoryKey(key: $0, pem: nil) } }
        let missing = items.indices.filter { keys[$0] == nil }
        guard !missing.isEmpty else { return keys.map { $0! } }
        let fresh = try FactoryKeys.generate(missing.count)
        var text = ""
        for (j, i) in missing.enumerated() {
            let pem = fresh[j].pemRepresentation
            keys[i] = FactoryKey(key: fresh[j], pem: pem)
            text += "item \(items[i])\n" + pem + "\n"
        }
        try FileOutput.write(Data(text.utf8), toPath: path + "/keys-\(UUID().uuidString).pem", mode: 0o600)
        return keys.map { $0! }
    }

    /// A key an earlier run staged (a resume delivering what a crash left undelivered).
    func key(of item: Int) -> P256.Signing.PrivateKey? {
        let raw: Data? = lock.withLock {
            if earlier == nil { earlier = load() }
            return earlier![item]
        }
        guard let raw else { return nil }
        return try? P256.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// The `item N` + PEM blocks of a chunk file.
    static func blocks(_ text: String) -> [(Int, String)] {
        var out: [(Int, String)] = []
        var item: Int?
        var pem: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("item "), let n = Int(line.dropFirst(5)) { item = n; pem = []; continue }
            guard let n = item else { continue }
            pem.append(line)
            if line.hasPrefix("-----END ") {
                out.append((n, pem.joined(separator: "\n") + "\n"))
                item = nil
            }
        }
        return out
    }
}

/// A staged factory key and, when this run staged it, its PKCS#8 PEM (encoded once, for staging and delivery).
struct FactoryKey: Sendable {
    let key: P256.Signing.PrivateKey
    let pem: String?
    var pemRepresentation: String { pem ?? key.pemRepresentation }
}

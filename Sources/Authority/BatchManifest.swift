import Foundation
import Ledger

/// `manifest.csv` and `manifest.json` of a batch's output. Both are built item by item: encoding a 100,000-item
/// manifest as one value held a tree of every item's fields, the largest part of a big batch's memory.
enum BatchManifest {
    static func write(_ items: [ManifestItem], batch: BatchRecord, to output: URL) throws {
        var csv = Data("index,serial,vid,pid,skid,sha256,csr_file,certificate,key\r\n".utf8)
        for i in items {
            csv.append(contentsOf: ([String(i.index), i.serial, i.vid, i.pid, i.skid, i.sha256, i.csrFile ?? "", i.certificate, i.key ?? ""]
                .map(csvField).joined(separator: ",") + "\r\n").utf8)
        }
        try FileOutput.write(csv, to: output.appendingPathComponent("manifest.csv"))
        try FileOutput.write(try json(items, batch: batch), to: output.appendingPathComponent("manifest.json"))
    }

    /// The same document a pretty-printed, key-sorted JSONEncoder makes of {batch, count, idempotencyKey, items, pai},
    /// with each item encoded on its own.
    static func json(_ items: [ManifestItem], batch: BatchRecord) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        func value(_ s: String) throws -> String { String(decoding: try enc.encode(s), as: UTF8.self) }
        var out = Data("{\n  \"batch\" : \(try value(batch.id)),\n  \"count\" : \(items.count),\n  \"idempotencyKey\" : \(try value(batch.idempotencyKey)),\n  \"items\" : [".utf8)
        for (n, item) in items.enumerated() {
            let text = String(decoding: try enc.encode(item), as: UTF8.self)
            out.append(contentsOf: ((n == 0 ? "\n" : ",\n") + text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")).utf8)
        }
        // JSONEncoder writes an empty array as "[", a blank line, "]".
        out.append(contentsOf: ((items.isEmpty ? "\n\n  " : "\n  ") + "],\n  \"pai\" : \(try value(batch.paiSKID))\n}").utf8)
        return out
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

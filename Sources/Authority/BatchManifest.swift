import Foundation
import Ledger

/// `manifest.csv` and `manifest.json` of a batch's output. Both are built item by item: encoding a 100,000-item
/// manifest as one value held a tree of every item's fields, the largest part of a big batch's memory.
enum BatchManifest {
    static func write(_ items: [ManifestItem], batch: BatchRecord, to output: URL) throws {
        // One document in memory at a time (a 100,000-item manifest is tens of MB).
        try FileOutput.write(csv(items), to: output.appendingPathComponent("manifest.csv"))
        try FileOutput.write(try json(items, batch: batch), to: output.appendingPathComponent("manifest.json"))
    }

    static func csv(_ items: [ManifestItem]) -> [UInt8] {
        var csv = [UInt8]("index,serial,vid,pid,skid,sha256,csr_file,certificate,key\r\n".utf8)
        csv.reserveCapacity(items.count * 260)
        for i in items {
            for (n, field) in [String(i.index), i.serial, i.vid, i.pid, i.skid, i.sha256, i.csrFile ?? "", i.certificate, i.key ?? ""].enumerated() {
                if n > 0 { csv.append(0x2C) }
                csv.append(contentsOf: csvField(field).utf8)
            }
            csv.append(contentsOf: [0x0D, 0x0A])
        }
        return csv
    }

    /// The same document a pretty-printed, key-sorted JSONEncoder makes of {batch, count, idempotencyKey, items, pai},
    /// each item written in the layout JSONEncoder gives it (keys sorted, absent optionals left out) and each string
    /// escaped by JSONEncoder unless it is plain ASCII: JSONEncoder per item was half of a 100,000-DAC batch's
    /// finalization, on one core.
    static func json(_ items: [ManifestItem], batch: BatchRecord) throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        func value(_ s: String) throws -> String {
            // Plain ASCII with nothing JSONEncoder escapes (quote, backslash, slash, controls): quoted as it is.
            if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C && $0 != 0x2F }) { return "\"" + s + "\"" }
            return String(decoding: try enc.encode(s), as: UTF8.self)
        }
        var out = [UInt8]("{\n  \"batch\" : \(try value(batch.id)),\n  \"count\" : \(items.count),\n  \"idempotencyKey\" : \(try value(batch.idempotencyKey)),\n  \"items\" : [".utf8)
        out.reserveCapacity(items.count * 420)
        for (n, item) in items.enumerated() {
            var fields = [("certificate", try value(item.certificate))]
            if let csr = item.csrFile { fields.append(("csrFile", try value(csr))) }
            fields.append(("index", String(item.index)))
            if let key = item.key { fields.append(("key", try value(key))) }
            fields += [("pid", try value(item.pid)), ("serial", try value(item.serial)), ("sha256", try value(item.sha256)),
                       ("skid", try value(item.skid)), ("vid", try value(item.vid))]
            out.append(contentsOf: ((n == 0 ? "\n" : ",\n") + "    {\n" + fields.map { "      \"\($0.0)\" : \($0.1)" }.joined(separator: ",\n") + "\n    }").utf8)
        }
        // JSONEncoder writes an empty array as "[", a blank line, "]".
        out.append(contentsOf: ((items.isEmpty ? "\n\n  " : "\n  ") + "],\n  \"pai\" : \(try value(batch.paiSKID))\n}").utf8)
        return out
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    static func csvField(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

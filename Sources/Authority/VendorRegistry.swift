import CertificateTemplates
import Crypto
import Foundation
import Ledger
import MatterPKI
import Yams

/// `VendorRegistry/*.yaml`, one vendor per file, checked as a whole before anything is imported.
public enum VendorRegistry {
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let reason: String
        public var description: String { "\(file):\(line): \(reason)" }
    }

    public struct Refused: Error, CustomStringConvertible {
        public let problems: [Problem]
        public var description: String { "vendor registry refused, nothing imported:\n" + problems.map { "  \($0)" }.joined(separator: "\n") }
    }

    static let keys: Set<String> = ["vid", "name", "contact", "products", "pais"]

    /// Reads every `*.yaml` file of `directory`; PAIs are resolved against the ledger's PAIs. All problems of all
    /// files are reported together.
    public static func load(directory: URL, pais: [AuthorityRecord], now: Date = Date()) throws -> [VendorDefinition] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var problems: [Problem] = []
        var definitions: [(VendorDefinition, String, Int)] = []
        if names.isEmpty { problems.append(Problem(file: directory.path, line: 0, reason: "no *.yaml vendor files")) }
        for name in names {
            let path = directory.appendingPathComponent(name).path
            do { definitions.append(try parse(path: path, pais: pais, now: now)) } catch let p as Problem { problems.append(p) }
        }
        var byVID: [Int: (String, Int)] = [:]
        for (d, file, line) in definitions {
            if let other = byVID[d.vendor.vid] {
                problems.append(Problem(file: file, line: line, reason: String(format: "VID %04X is already claimed by %@:%d", d.vendor.vid, other.0, other.1)))
            } else { byVID[d.vendor.vid] = (file, line) }
        }
        guard problems.isEmpty else { throw Refused(problems: problems) }
        return definitions.map(\.0)
    }

    static func parse(path: String, pais: [AuthorityRecord], now: Date) throws -> (VendorDefinition, String, Int) {
        func fail(_ n: Node?, _ reason: String) -> Problem { Problem(file: path, line: n?.mark?.line ?? 1, reason: reason) }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw fail(nil, "cannot read") }
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else { throw fail(nil, "empty file") }
            root = n
        } catch let p as Problem { throw p } catch let e as YamlError {
            throw Problem(file: path, line: TemplateLoader.line(of: e), reason: "not valid YAML: \(e)")
        }
        guard let map = root.mapping else { throw fail(root, "a vendor file is a mapping (vid, name, products, pais, contact)") }
        var values: [String: Node] = [:]
        for (k, v) in map {
            guard let key = k.string, keys.contains(key) else { throw fail(k, "unknown key \"\(k.string ?? "?")\"") }
            values[key] = v
        }
        guard let vidNode = values["vid"] else { throw fail(root, "missing key \"vid\"") }
        guard let vidText = vidNode.string, let vid = strictHexValue(vidText, digits: 4...4), vid != 0, vid != 0xFFFF else {
            throw fail(vidNode, "vid \"\(vidNode.string ?? "")\" is not 4 hex digits of a vendor (0001–FFFE)")
        }
        guard let nameNode = values["name"], let name = nameNode.string, !name.isEmpty else { throw fail(values["name"] ?? root, "missing or empty \"name\"") }
        guard let productsNode = values["products"], let products = productsNode.sequence, !products.isEmpty else {
            throw fail(values["products"] ?? root, "\"products\" must list PIDs or PID ranges")
        }
        var ranges: [ClosedRange<Int>] = []
        for p in products {
            guard let s = p.string else { throw fail(p, "a product is a PID \"8000\" or a range \"8001-800F\"") }
            let parts = s.split(separator: "-", omittingEmptySubsequences: false).map { String($0) }
            func pid(_ t: String) throws -> Int {
                guard let v = strictHexValue(t, digits: 1...5) else { throw fail(p, "\"\(t)\" is not a hex PID") }
                guard (0x0001...0xFFFF).contains(v) else { throw fail(p, String(format: "PID 0x%04X is outside 0x0001–0xFFFF", v)) }
                return v
            }
            guard (1...2).contains(parts.count) else { throw fail(p, "\"\(s)\" is not a PID or a range") }
            let first = try pid(parts[0]), last = parts.count == 2 ? try pid(parts[1]) : first
            guard first <= last else { throw fail(p, "range \(s) runs backwards") }
            ranges.append(first...last)
        }
        guard let paisNode = values["pais"], let paiList = paisNode.sequence, !paiList.isEmpty else {
            throw fail(values["pais"] ?? root, "\"pais\" must name at least one PAI (SKID or name)")
        }
        var skids: [String] = []
        for p in paiList {
            guard let key = p.string else { throw fail(p, "a PAI is named by SKID or name") }
            let matches = pais.filter { $0.skid == key.uppercased() || $0.name == key }
            guard matches.count == 1 else {
                throw fail(p, matches.isEmpty ? "unknown PAI \"\(key)\" (not in the ledger)" : "PAI name \"\(key)\" is ambiguous; give the SKID")
            }
            let pai = matches[0]
            guard pai.vid == vid else {
                throw fail(p, "PAI \"\(key)\" carries VID \(pai.vid.map { String(format: "%04X", $0) } ?? "none"), not \(vidText)")
            }
            skids.append(pai.skid)
        }
        let contact = values["contact"]?.string
        let sha = Canonical.sha256([vidText.uppercased(), name, contact ?? "", ranges.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ","),
                                    skids.sorted().joined(separator: ",")])
        let record = VendorRecord(vid: vid, name: name, contact: contact, source: (path as NSString).lastPathComponent,
                                  definitionSHA256: sha, updatedAt: now)
        return (VendorDefinition(vendor: record, products: ranges, paiSKIDs: skids), path, vidNode.mark?.line ?? 1)
    }
}

extension VendorRegistry {
    /// `matter-ca vendor import DIR`: the whole folder checked against the ledger's PAIs, then imported in one
    /// transaction. Needs the ledger only (no token, no PIN).
    public static func importDirectory(_ directory: URL, into ledger: any Ledger, actor: String, now: Date) throws -> [Int: VendorImportChange] {
        try checkDirectory(directory)
        let definitions = try load(directory: directory, pais: try ledger.authorities(type: "pai"), now: now)
        return try ledger.importVendors(definitions, actor: actor, source: directory.path)
    }

    /// Refuses a registry path that is not a directory (before anything is read or recorded).
    public static func checkDirectory(_ directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Refused(problems: [Problem(file: directory.path, line: 0, reason: "not a directory of vendor YAML files")])
        }
    }
}

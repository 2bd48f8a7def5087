import Foundation
import Yams

/// The operator-tunable part of the CRL profile (`Templates/crl.yaml`): how long a CRL is current, where CRLs are
/// served, and whether an issuer's list is split into partitions. Loaded and refused like the certificate templates.
public struct CRLTemplate: Sendable, Equatable {
    public var nextUpdateDays: Int = 30
    public var baseURL: String = "https://crl.example.invalid"
    /// 0: one CRL per issuer; N: partitions of N entries, each with an issuingDistributionPoint naming its URL.
    public var partitionSize: Int = 0
    public var source: String = "built-in"
    public init() {}

    /// Longest URL the Matter consumers take: the DCL's dataURL (≤ 256) and the ESP checker (< 256).
    public static let maxURLLength = 255

    /// Where the CRL of the CA with `issuerSKID` (partition `partition`, when partitioned) is published.
    public func url(issuerSKID: String, partition: Int?) -> String {
        baseURL + "/crl/" + Self.fileName(issuerSKID: issuerSKID, partition: partition)
    }

    /// The same template with another `source` (to compare two loads of the same settings).
    public func with(source: String) -> CRLTemplate { var t = self; t.source = source; return t }

    public static func fileName(issuerSKID: String, partition: Int?) -> String {
        partition.map { "\(issuerSKID)-\($0).crl" } ?? "\(issuerSKID).crl"
    }
}

public enum CRLTemplateLoader {
    static let keys: Set<String> = ["type", "next_update", "base_url", "partition_size"]

    /// `dir/crl.yaml` when a directory is given (it must exist there), else the compiled-in default.
    public static func loadOrDefault(directory: URL?) throws -> CRLTemplate {
        guard let directory else { return try parse(DefaultTemplates.crl, file: "Templates/crl.yaml (built in)") }
        let url = directory.appendingPathComponent("crl.yaml")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw TemplateLoadError(file: url.path, line: 0, violation: .missingKey("file crl.yaml"))
        }
        return try parse(text, file: url.path)
    }

    public static func parse(_ yaml: String, file: String) throws -> CRLTemplate {
        let (root, map) = try TemplateLoader.rootMapping(yaml, file: file)
        func fail(_ node: Node?, _ v: TemplateViolation) -> TemplateLoadError { TemplateLoadError(file: file, line: node?.mark?.line ?? 1, violation: v) }
        var t = CRLTemplate()
        t.source = file
        var sawType = false
        for (k, v) in map {
            guard let key = k.string, keys.contains(key) else { throw fail(k, .unknownKey(k.string ?? "\(k)")) }
            switch key {
            case "type":
                guard v.string == "crl" else { throw fail(v, .typeDoesNotMatchFile(declared: v.string ?? "\(v)", file: "crl.yaml")) }
                sawType = true
            case "next_update":
                guard let m = v.mapping, m.count == 1, let d = m["days"] else { throw fail(v, .wrongValueType(key: "next_update", expected: "{ days: N }")) }
                guard let days = d.int else { throw fail(d, .wrongValueType(key: "next_update.days", expected: "an integer")) }
                guard (1...3650).contains(days) else { throw fail(d, .crlNextUpdateOutOfRange(days)) }
                t.nextUpdateDays = days
            case "base_url":
                guard let s = v.string else { throw fail(v, .wrongValueType(key: "base_url", expected: "a string")) }
                if let problem = baseURLProblem(s) { throw fail(v, .crlBaseURLInvalid(problem)) }
                t.baseURL = s.hasSuffix("/") ? String(s.dropLast()) : s
            case "partition_size":
                guard let n = v.int else { throw fail(v, .wrongValueType(key: "partition_size", expected: "an integer")) }
                guard (0...1_000_000).contains(n) else { throw fail(v, .crlPartitionSizeOutOfRange(n)) }
                t.partitionSize = n
            default: break
            }
        }
        guard sawType else { throw fail(root, .missingKey("type")) }
        return t
    }

    /// Why a base URL cannot carry Matter CRLs, or nil. The longest published URL (a 40-digit SKID, a partition
    /// number) must still fit the DCL's dataURL.
    static func baseURLProblem(_ s: String) -> String? {
        guard let u = URL(string: s), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return "\"\(s)\" must be an http:// or https:// URL"
        }
        guard let host = u.host, !host.isEmpty else { return "\"\(s)\" has no host" }
        guard u.query == nil, u.fragment == nil else { return "\"\(s)\" must not carry a query or fragment" }
        let longest = s.count + "/crl/".count + 40 + "-999999.crl".count
        guard longest <= CRLTemplate.maxURLLength else { return "\"\(s)\" makes CRL URLs of up to \(longest) characters (the DCL and ESP take \(CRLTemplate.maxURLLength))" }
        return nil
    }
}

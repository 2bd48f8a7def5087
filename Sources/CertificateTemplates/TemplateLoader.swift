import Crypto
import Foundation
import MatterPKI
import Yams

/// Loads `Templates/{paa,pai,dac}.yaml`. Anything that contradicts the Matter profile, or that the loader does
/// not understand, is refused with the file and line it came from.
///
/// ```yaml
/// type: dac
/// lifetime: { days: 3650 }            # or: { no_well_defined_expiry: true }
/// common_name: "{name} {device_id}"   # placeholders: name, vid, pid, device_id
/// vid_pid_encoding: attributes        # or cn-fallback
/// serial_length: 16                   # octets, 8…20
/// path_length: absent                 # PAA: absent or 1; PAI: 0; DAC: absent
/// key_usage: [digitalSignature]       # must be the Matter key usage for the type
/// extensions: { crl_distribution_point: "http://…" }   # optional
/// backdate_seconds: 3600              # notBefore = issuance time − this (0…86400)
/// ```
public enum TemplateLoader {
    static let topKeys: Set<String> = ["type", "lifetime", "common_name", "vid_pid_encoding", "serial_length",
                                       "path_length", "key_usage", "extensions", "backdate_seconds"]

    public static func load(directory: URL) throws -> [CertificateType: Template] {
        var out: [CertificateType: Template] = [:]
        for type in CertificateType.allCases {
            let url = directory.appendingPathComponent("\(type.rawValue).yaml")
            // Template folders made before delegated CRL signers existed have no crl-signer.yaml: the built-in one.
            if type == .crlSigner && !FileManager.default.fileExists(atPath: url.path) {
                out[type] = try parse(DefaultTemplates.crlSigner, file: "Templates/crl-signer.yaml (built in)", expecting: .crlSigner)
                continue
            }
            out[type] = try load(url: url, expecting: type)
        }
        return out
    }

    public static func load(url: URL, expecting type: CertificateType) throws -> Template {
        let file = url.lastPathComponent
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw TemplateLoadError(file: url.path, line: 0, violation: .missingKey("file \(file)"))
        }
        return try parse(text, file: url.path, expecting: type)
    }

    /// A template file's top-level mapping, or the refusal that says where it is not one (shared by every template kind).
    static func rootMapping(_ yaml: String, file: String) throws -> (root: Node, map: Node.Mapping) {
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: yaml) else { throw TemplateLoadError(file: file, line: 1, violation: .notAMapping) }
            root = n
        } catch let e as TemplateLoadError { throw e } catch let e as YamlError {
            throw TemplateLoadError(file: file, line: Self.line(of: e), violation: .wrongValueType(key: "document", expected: "valid YAML (\(e))"))
        }
        guard let map = root.mapping else { throw TemplateLoadError(file: file, line: root.mark?.line ?? 1, violation: .notAMapping) }
        return (root, map)
    }

    public static func parse(_ yaml: String, file: String, expecting expected: CertificateType) throws -> Template {
        let (root, map) = try rootMapping(yaml, file: file)
        func fail(_ node: Node?, _ v: TemplateViolation) -> TemplateLoadError {
            TemplateLoadError(file: file, line: node?.mark?.line ?? 1, violation: v)
        }
        var values: [String: (key: Node, value: Node)] = [:]
        for (k, v) in map {
            guard let key = k.string, topKeys.contains(key) else { throw fail(k, .unknownKey(k.string ?? "\(k)")) }
            values[key] = (k, v)
        }
        func required(_ key: String) throws -> Node {
            guard let v = values[key]?.value else { throw fail(root, .missingKey(key)) }
            return v
        }

        let typeNode = try required("type")
        guard let typeName = typeNode.string else { throw fail(typeNode, .wrongValueType(key: "type", expected: "paa, pai or dac")) }
        guard let type = CertificateType(rawValue: typeName) else { throw fail(typeNode, .unknownCertificateType(typeName)) }
        guard type == expected else { throw fail(typeNode, .typeDoesNotMatchFile(declared: typeName, file: (file as NSString).lastPathComponent)) }

        let lifetimeNode = try required("lifetime")
        guard let lt = lifetimeNode.mapping else { throw fail(lifetimeNode, .lifetimeMustBeDaysOrNoExpiry) }
        let lifetime: Template.Lifetime
        let keys = Array(lt.keys.compactMap(\.string))
        if keys == ["days"], let d = lt["days"] {
            guard let days = d.int else { throw fail(d, .wrongValueType(key: "lifetime.days", expected: "an integer")) }
            guard days >= 1 else { throw fail(d, .lifetimeDaysOutOfRange(days)) }
            lifetime = .days(days)
        } else if keys == ["no_well_defined_expiry"], let n = lt["no_well_defined_expiry"], n.bool == true {
            lifetime = .noWellDefinedExpiry
        } else {
            throw fail(lifetimeNode, .lifetimeMustBeDaysOrNoExpiry)
        }

        var template = Template(type: type, lifetime: lifetime, source: file)
        template.textSHA256 = Array(SHA256.hash(data: Data(yaml.utf8))).lowercaseHexString

        if let (_, cn) = values["common_name"] {
            guard let pattern = cn.string else { throw fail(cn, .wrongValueType(key: "common_name", expected: "a string")) }
            guard !pattern.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail(cn, .commonNamePatternEmpty) }
            for p in placeholders(in: pattern) where !Template.placeholders.contains(p) { throw fail(cn, .unknownPlaceholder(p)) }
            template.commonNamePattern = pattern
        }
        if let (_, enc) = values["vid_pid_encoding"] {
            guard let s = enc.string, let e = CertificateSpec.VIDPIDEncoding(rawValue: s) else {
                throw fail(enc, .unknownVIDPIDEncoding(enc.string ?? "\(enc)"))
            }
            template.vidPidEncoding = e
        }
        if let (_, sl) = values["serial_length"] {
            guard let n = sl.int else { throw fail(sl, .wrongValueType(key: "serial_length", expected: "an integer")) }
            guard (8...20).contains(n) else { throw fail(sl, .serialLengthOutOfRange(n)) }
            template.serialLength = n
        }
        if let (_, b) = values["backdate_seconds"] {
            guard let n = b.int, (0...86400).contains(n) else { throw fail(b, .backdateOutOfRange(b.string ?? "\(b)")) }
            template.backdateSeconds = n
        }
        if let (_, pl) = values["path_length"] {
            let value: Int?
            if pl.string == "absent" { value = nil } else if let n = pl.int { value = n } else {
                throw fail(pl, .wrongValueType(key: "path_length", expected: "an integer or \"absent\""))
            }
            switch (type, value) {
            case (.paa, nil): template.paaPathLengthOne = false
            case (.paa, 1?): template.paaPathLengthOne = true
            case (.pai, 0?), (.dac, nil), (.crlSigner, nil): break
            default: throw fail(pl, .pathLengthContradictsProfile(type, value))
            }
        }
        if let (_, kuNode) = values["key_usage"] {
            guard let seq = kuNode.sequence else { throw fail(kuNode, .wrongValueType(key: "key_usage", expected: "a list")) }
            let ku = seq.compactMap(\.string)
            let set = Set(ku)
            let ok = type == .dac ? ku == ["digitalSignature"]
                : type == .crlSigner ? set.contains("cRLSign") && set.isSubset(of: ["cRLSign", "digitalSignature"]) && set.count == ku.count
                : set.isSuperset(of: ["keyCertSign", "cRLSign"]) && set.isSubset(of: ["keyCertSign", "cRLSign", "digitalSignature"]) && set.count == ku.count
            guard ok else { throw fail(kuNode, .keyUsageContradictsProfile(type, ku)) }
            template.caDigitalSignature = type != .dac && set.contains("digitalSignature")
        }
        if let (_, ext) = values["extensions"] {
            guard let m = ext.mapping else { throw fail(ext, .wrongValueType(key: "extensions", expected: "a mapping")) }
            for (k, v) in m {
                guard k.string == "crl_distribution_point" else { throw fail(k, .unknownKey("extensions.\(k.string ?? "?")")) }
                if v.tag.description.hasSuffix("null") || v.string == nil || v.string == "" || v.string == "~" { continue }
                guard let uri = v.string, uri.hasPrefix("http://") || uri.hasPrefix("https://") else {
                    throw fail(v, .crlDistributionPointNotHTTP(v.string ?? ""))
                }
                template.crlDistributionPointURI = uri
            }
        }
        return template
    }

    /// A pattern as literal text and `{placeholder}` names, in order; an unclosed `{` makes the rest of the pattern,
    /// brace included, one placeholder name (which no template knows).
    enum PatternPart { case text(Substring), placeholder(Substring) }

    static func parts(of pattern: String) -> [PatternPart] {
        var out: [PatternPart] = []
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { out.append(.text(rest[..<open])) }
            guard let close = rest[open...].firstIndex(of: "}") else { out.append(.placeholder(rest[open...])); return out }
            out.append(.placeholder(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { out.append(.text(rest)) }
        return out
    }

    static func placeholders(in pattern: String) -> [String] {
        parts(of: pattern).compactMap { if case .placeholder(let p) = $0 { String(p) } else { nil } }
    }

    /// The line a YAML parse error points at (1 when it names none).
    public static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        default: return 1
        }
    }
}

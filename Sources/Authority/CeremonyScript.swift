import CertificateTemplates
import Crypto
import Foundation
import MatterPKI
import Yams

/// `ceremony.yaml`: who must be present, and what to make, in order.
///
///     ceremony: Utility root 2026
///     roles:
///       administrator: alice
///       witness: carol
///       custodians: [ann, bob, cy]        # optional: only these may give shares
///     steps:
///       - make: paa
///         name: Utility PAA 2026
///         vid: FFF1                       # optional
///         lifetime_days: 7300             # optional (template default otherwise)
///         template: paa.yaml              # optional: the template file in force must be this one
///         template_sha256: 3f…            # optional: and have exactly this text
///       - make: pai
///         name: Utility PAI FFF1
///         paa: Utility PAA 2026           # a PAA made earlier in this ceremony, or in the ledger
///         vid: FFF1
///         pid: 8000                       # optional
///       - make: crl-signer
///         name: Utility PAA 2026 CRL signer
///         ca: Utility PAA 2026
public struct CeremonyScript: Sendable {
    public var name: String
    public var administrator: String
    public var witness: String
    public var custodians: [String]?
    public var steps: [Step]
    /// SHA-256 of the file as read, named in the transcript.
    public var sha256: String

    public struct Step: Sendable {
        public var request: IssueRequest
        public var template: String?
        public var templateSHA256: String?
        /// Line in the file, for errors.
        public var line: Int
        public var type: CertificateType {
            switch request.kind { case .paa: return .paa; case .pai: return .pai; case .dac: return .dac; case .crlSigner: return .crlSigner }
        }
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let line: Int
        public let problem: String
        public var description: String { "ceremony script, line \(line): \(problem)" }
    }

    static let topKeys: Set<String> = ["ceremony", "roles", "steps"]
    static let stepKeys: [String: Set<String>] = [
        "paa": ["make", "name", "vid", "lifetime_days", "template", "template_sha256"],
        "pai": ["make", "name", "paa", "vid", "pid", "template", "template_sha256"],
        "crl-signer": ["make", "name", "ca", "template", "template_sha256"],
    ]

    public static func parse(_ text: String) throws -> CeremonyScript {
        func fail(_ node: Node?, _ problem: String) -> ParseError { ParseError(line: node?.mark?.line ?? 1, problem: problem) }
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: text) else { throw ParseError(line: 1, problem: "the file is empty") }
            root = r
        } catch let e as ParseError { throw e } catch {
            throw ParseError(line: (error as? YamlError).map(TemplateLoader.line(of:)) ?? 1, problem: "not YAML")
        }
        guard let top = root.mapping else { throw fail(root, "the top level must be a mapping (ceremony, roles, steps)") }
        for (k, _) in top { guard let key = k.string, topKeys.contains(key) else { throw fail(k, "unknown key \"\(k.string ?? "?")\"") } }
        func string(_ map: Node.Mapping, _ key: String, required: Bool = true) throws -> String? {
            guard let n = map[key] else {
                if required { throw fail(root, "\"\(key)\" is required") }
                return nil
            }
            guard let s = n.string, !s.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail(n, "\"\(key)\" must be a non-empty string") }
            return s
        }
        let name = try string(top, "ceremony")!
        guard let roles = top["roles"]?.mapping else { throw fail(top["roles"] ?? root, "\"roles\" (administrator, witness) is required") }
        for (k, _) in roles { guard let key = k.string, ["administrator", "witness", "custodians"].contains(key) else { throw fail(k, "unknown role \"\(k.string ?? "?")\"") } }
        let administrator = try string(roles, "administrator")!, witness = try string(roles, "witness")!
        guard administrator != witness else { throw fail(roles["witness"], "the witness must be another person than the administrator") }
        var custodians: [String]?
        if let list = roles["custodians"] {
            guard let seq = list.sequence, !seq.isEmpty, let ids = Optional(seq.compactMap(\.string)), ids.count == seq.count, Set(ids).count == ids.count else {
                throw fail(list, "\"custodians\" must be a list of distinct IDs")
            }
            custodians = ids
        }
        guard let stepNodes = top["steps"]?.sequence, !stepNodes.isEmpty else { throw fail(top["steps"] ?? root, "\"steps\" must list at least one step") }
        var steps: [Step] = []
        for node in stepNodes {
            guard let map = node.mapping, let make = map["make"]?.string else { throw fail(node, "each step is a mapping with \"make: paa|pai|crl-signer\"") }
            guard let allowed = stepKeys[make] else { throw fail(map["make"], "\"make: \(make)\" is not one of paa, pai, crl-signer") }
            for (k, _) in map { guard let key = k.string, allowed.contains(key) else { throw fail(k, "\"\(k.string ?? "?")\" is not a field of a \(make) step") } }
            let stepName = try string(map, "name")!
            func id<T: MatterID16>(_ key: String, required: Bool) throws -> T? {
                guard let n = map[key] else {
                    if required { throw fail(node, "a \(make) step needs \"\(key)\"") }
                    return nil
                }
                guard let s = n.string, let value = T(hex: s) else { throw fail(n, "\"\(key)\" must be a 16-bit hex value such as FFF1") }
                return value
            }
            let kind: IssueRequest.Kind
            switch make {
            case "paa":
                var lifetime: Template.Lifetime?
                if let d = map["lifetime_days"] {
                    guard let days = d.int, days >= 1 else { throw fail(d, "\"lifetime_days\" must be a whole number of days, at least 1") }
                    lifetime = .days(days)
                }
                kind = .paa(vid: try id("vid", required: false), lifetime: lifetime)
            case "pai":
                guard let paa = try string(map, "paa", required: false) else { throw fail(node, "a pai step needs \"paa\"") }
                kind = .pai(paa: paa, vid: try id("vid", required: true)!, pid: try id("pid", required: false))
            default:
                guard let ca = try string(map, "ca", required: false) else { throw fail(node, "a crl-signer step needs \"ca\"") }
                kind = .crlSigner(ca: ca)
            }
            let pin = try string(map, "template_sha256", required: false)?.lowercased()
            if let pin, pin.count != 64 || !pin.allSatisfy(\.isHexDigit) { throw fail(map["template_sha256"], "\"template_sha256\" must be 64 hex digits") }
            steps.append(Step(request: IssueRequest(kind, name: stepName), template: try string(map, "template", required: false),
                              templateSHA256: pin, line: node.mark?.line ?? 1))
        }
        let sha = CeremonyTranscript.sha256(Data(text.utf8))
        return CeremonyScript(name: name, administrator: administrator, witness: witness, custodians: custodians, steps: steps, sha256: sha)
    }
}

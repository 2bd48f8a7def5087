import Crypto
import Foundation
import Ledger
import MatterPKI

/// `matter-ca ceremony verify transcript.json`: the transcript against itself (signatures over its body, each
/// certificate's PEM against its SHA-256) and against the ledger it names (same ledger, the file's SHA-256 as the
/// audit chain recorded it, an intact chain, each step's certificate and authority as recorded). Reads only the ledger.
public struct TranscriptVerification: Sendable, Encodable {
    public var ceremony: String?
    public var fileSHA256: String
    /// What held, one line each.
    public var checked: [String] = []
    /// What does not match, one precise line each; empty when the transcript holds.
    public var problems: [String] = []
    public var holds: Bool { problems.isEmpty }

    public static func verify(_ file: Data, ledger: any Ledger) throws -> TranscriptVerification {
        var v = TranscriptVerification(ceremony: nil, fileSHA256: CeremonyTranscript.sha256(file))
        let t: CeremonyTranscript
        do { t = try JSONDecoder().decode(CeremonyTranscript.self, from: file) } catch {
            v.problems.append("not a matter-ca ceremony transcript: \(Self.decodingProblem(error))")
            return v
        }
        v.ceremony = t.body.ceremony
        guard t.format == CeremonyTranscript.formatName else {
            v.problems.append("format \"\(t.format)\" is not \"\(CeremonyTranscript.formatName)\"")
            return v
        }
        // Another ledger's transcript: nothing else it says can be judged here.
        let identity = try CeremonyTranscript.identity(of: ledger) ?? "none"
        guard t.body.ledger == identity else {
            v.problems.append("the transcript belongs to another ledger: it names the ledger whose authority.init entry hashes to \(t.body.ledger); this ledger's is \(identity)")
            return v
        }
        v.checked.append("ledger: the transcript names this ledger")
        v.checkAnchor(t, ledger: ledger)
        let report = try ledger.verifyAudit()
        if report.intact { v.checked.append("audit chain intact: \(report.entries) entries") } else {
            v.problems.append("the audit chain does not verify: \(report.problems.first.map { "\($0)" } ?? "")")
        }
        try v.checkSignatures(t, ledger: ledger)
        try v.checkSteps(t, ledger: ledger)
        return v
    }

    /// The audit entry that anchors the transcript must carry the SHA-256 of exactly this file.
    private mutating func checkAnchor(_ t: CeremonyTranscript, ledger: any Ledger) {
        let action = t.body.kind == "ceremony.run" ? "ceremony.transcript" : t.body.kind
        let entries = (try? ledger.auditEntries(action: action, limit: Int.max)) ?? []
        let anchors = entries.compactMap { e -> (AuditLogEntry, [String: String])? in
            guard let p = try? JSONDecoder().decode([String: String].self, from: Data(e.payload.utf8)), p["ceremony"] == t.body.ceremony else { return nil }
            return (e, p)
        }
        guard let (entry, payload) = anchors.last else {
            problems.append("no \(action) entry of ceremony \(t.body.ceremony) in the audit chain: the ceremony is not in this ledger")
            return
        }
        guard let recorded = payload["transcriptSHA256"] else {
            problems.append("audit entry \(entry.seq) records ceremony \(t.body.ceremony) without a transcript hash")
            return
        }
        if recorded == fileSHA256 { checked.append("anchor: audit entry \(entry.seq) records this file's SHA-256 \(fileSHA256)") } else {
            problems.append("anchor: audit entry \(entry.seq) recorded the transcript's SHA-256 as \(recorded); this file's is \(fileSHA256): the file was altered")
        }
    }

    private mutating func checkSignatures(_ t: CeremonyTranscript, ledger: any Ledger) throws {
        let body = try CeremonyTranscript.canonical(t.body)
        var caSigned = false
        for (i, s) in t.signatures.enumerated() {
            let who = "signature \(i + 1) (\(s.role)\(s.keySKID.map { " \($0)" } ?? ""))"
            guard let keyDER = Data(base64Encoded: s.publicKey), let key = try? P256.Signing.PublicKey(derRepresentation: keyDER) else {
                problems.append("\(who): the public key is not a P-256 SubjectPublicKeyInfo"); continue
            }
            guard s.algorithm == "ecdsa-with-SHA256", let sigDER = Data(base64Encoded: s.value),
                  let sig = try? P256.Signing.ECDSASignature(derRepresentation: sigDER) else {
                problems.append("\(who): not a DER ecdsa-with-SHA256 signature"); continue
            }
            guard key.isValidSignature(sig, for: body) else {
                problems.append("\(who) does not verify over the transcript's body: a field of the body was changed"); continue
            }
            // A CA signature counts only with the key the ledger knows for that SKID.
            if s.role == "paa" || s.role == "checkpoint" {
                if s.role == "paa" {
                    guard let skid = s.keySKID, let rec = try ledger.certificates(matching: skid).first(where: { $0.skid == skid && $0.type == "paa" }),
                          let cert = try? ParsedCertificate(der: Array(rec.der)), cert.publicKey.keyBytes == Array(key.x963Representation) else {
                        problems.append("\(who): the key is not the key of a PAA \(s.keySKID ?? "") in the ledger"); continue
                    }
                }
                caSigned = true
            }
            checked.append("\(who) verifies")
        }
        if !caSigned { problems.append("no valid signature by a PAA key or the authority's checkpoint key") }
        for step in t.body.steps where step.action == "paa.create" {
            if !t.signatures.contains(where: { $0.role == "paa" && $0.keySKID == step.key.skid }) {
                problems.append("step \(step.number): the new PAA \(step.key.skid) did not sign the transcript")
            }
        }
    }

    private mutating func checkSteps(_ t: CeremonyTranscript, ledger: any Ledger) throws {
        for step in t.body.steps {
            let pemDER = try? CertificateFile.derBytes(Array(step.certificate.pem.utf8), name: "step \(step.number)", label: "CERTIFICATE")
            let pemSHA = pemDER.map { CeremonyTranscript.sha256(Data($0)) }
            if pemSHA?.lowercased() != step.certificate.sha256.lowercased() {
                problems.append("step \(step.number): the certificate's PEM has SHA-256 \(pemSHA ?? "unreadable"), the step says \(step.certificate.sha256)")
            }
            guard let authority = try ledger.authority(skid: step.key.skid) else {
                problems.append("step \(step.number): no authority with SKID \(step.key.skid) in the ledger"); continue
            }
            if authority.certificateSHA256 != step.certificate.sha256 {
                problems.append("step \(step.number): the ledger's certificate for \(step.key.skid) has SHA-256 \(authority.certificateSHA256), the transcript says \(step.certificate.sha256)")
            }
            if authority.name != step.name || authority.keyLabel != step.key.label || authority.tokenLabel != step.key.token {
                problems.append("step \(step.number): the ledger records \(authority.type.uppercased()) \"\(authority.name)\", key \"\(authority.keyLabel)\" on token \"\(authority.tokenLabel)\"; the transcript says \"\(step.name)\", key \"\(step.key.label)\" on \"\(step.key.token)\"")
            }
            if problems.isEmpty { checked.append("step \(step.number): \(authority.type.uppercased()) \"\(authority.name)\" matches the ledger") }
        }
    }

    private static func decodingProblem(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let k, _): return "field \"\(k.stringValue)\" is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return "field \"\(c.codingPath.map(\.stringValue).joined(separator: "."))\" is not what it should be"
        default: return "not JSON"
        }
    }
}

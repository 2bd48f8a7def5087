import CertificateTemplates
import Crypto
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

/// The people at the ceremony, as the run sees them: questions put to the administrator, and what they are told.
public struct CeremonyConsole: Sendable {
    /// A yes/no question; false aborts the ceremony.
    public var confirm: @Sendable (String) throws -> Bool
    public var say: @Sendable (String) -> Void
    /// Who answers the confirmations, as the transcript names them.
    public var confirmedBy: String
    public init(confirmedBy: String, confirm: @escaping @Sendable (String) throws -> Bool, say: @escaping @Sendable (String) -> Void) {
        self.confirmedBy = confirmedBy; self.confirm = confirm; self.say = say
    }
}

public enum CeremonyAbort: Error, CustomStringConvertible, Equatable {
    case refused(String)
    case notAllowed(String)
    public var description: String {
        switch self {
        case .refused(let what): return "ceremony aborted: \(what) was refused; nothing was made (no key kept in the token, nothing in the ledger)"
        case .notAllowed(let why): return "ceremony refused: \(why)"
        }
    }
}

public struct CeremonyRunResult: Sendable {
    public let ceremony: String
    public let authorities: [AuthorityRecord]
    public let transcript: URL
    public let transcriptSHA256: String
    public let files: [URL]
    /// Set when the ceremony committed but its files could not be written (`export` writes the certificates).
    public let filesNotWritten: String?
}

extension Authority {
    /// `matter-ca ceremony run`: every step staged (keys generated, certificates signed through the one issue path)
    /// and nothing recorded until the last confirmation; then the whole ceremony and its transcript's anchor in one
    /// ledger transaction. A step that fails or is refused destroys every key the run generated: the token's
    /// objects and the ledger's audit head are as before. A run killed mid-way leaves a journal of its keys, which the
    /// next run destroys (they were never committed).
    public func runCeremony(_ script: CeremonyScript, console: CeremonyConsole,
                            administratorKey: P256.Signing.PrivateKey? = nil) throws -> CeremonyRunResult {
        let principal = Principal.operator(actor)
        let needsRoot = try preflight(script, principal)
        for (role, who) in [("Administrator", script.administrator), ("Witness", script.witness)] {
            guard try console.confirm("\(role) \(who) present?") else { throw CeremonyAbort.refused("the presence of \(role.lowercased()) \(who)") }
        }
        if needsRoot, let custody = settings.custody {
            _ = try paaKeyPool()
            let present = custodiansPresent
            console.say("Root token \"\(custody.rootTokenLabel)\" opened by custodians \(present.joined(separator: ", ")) (\(custody.quorum) of \(custody.custodians.count))")
            if let allowed = script.custodians, let stranger = present.first(where: { !allowed.contains($0) }) {
                throw CeremonyAbort.notAllowed("custodian \(stranger) gave a share but is not one of the script's custodians (\(allowed.joined(separator: ", ")))")
            }
        }
        try OutputLocation.prepare(home.certificates)
        try OutputLocation.prepare(home.transcripts)
        try destroyKeysOfInterruptedRuns(console)
        let id = UUID().uuidString, started = clock()
        let journal = home.transcripts.appendingPathComponent("\(id).pending")
        var generated: [(key: PKCS11Signer, token: String)] = []
        var made: [CeremonyStepMade] = []
        var transcriptSteps: [CeremonyTranscript.Step] = []
        var paaSigners: [(skid: String, signer: any Signer)] = []
        var tokens: [String] = []
        do {
            for (n, step) in script.steps.enumerated() {
                let grant = try authorize(step.request, by: principal, staged: made.map(\.authority))
                guard try console.confirm("Step \(n + 1) of \(script.steps.count): \(describe(grant)). Proceed?") else {
                    throw CeremonyAbort.refused("step \(n + 1) (\(grant.type.rawValue) \"\(grant.name)\")")
                }
                let keyPool = try newKeyPool(for: grant)
                let issuer = try grant.issuer.map { parent -> IssuerContext in
                    if let s = made.first(where: { $0.authority.skid == parent.skid }) {
                        return try IssuerContext(certificate: s.issued.certificate, type: s.authority.type == "paa" ? .paa : .pai, signer: s.key)
                    }
                    return try issuerContext(for: grant)!
                }
                let key: PKCS11Signer
                do { key = try PKCS11Signer.generate(pool: keyPool, label: grant.keyLabel) } catch { throw AuthorityError.from(error) }
                generated.append((key, keyPool.tokenLabel))
                try FileOutput.write(Data(generated.map { "\($0.key.keyDescription)\t\($0.key.keyID.hexString)\t\($0.token)" }.joined(separator: "\n").utf8),
                                     to: journal, mode: 0o600)
                let step = try makeCeremonyStep(grant, key: key, keyPool: keyPool, issuer: issuer)
                made.append(step)
                transcriptSteps.append(transcriptStep(number: n + 1, action: step.action, grant: grant, key: key, keyPool: keyPool, issued: step.issued,
                                                      at: clock(), confirmedBy: console.confirmedBy))
                if let signer = step.paaSigner, !paaSigners.contains(where: { $0.skid == signer.skid }) { paaSigners.append(signer) }
                tokens += [keyPool.tokenLabel] + (grant.issuer.map { [$0.tokenLabel] } ?? [])
                console.say("  made \(grant.type.rawValue.uppercased()) \"\(grant.name)\": SKID \(step.certificate.skid), certificate SHA-256 \(step.certificate.sha256)")
            }
            guard try console.confirm("Commit the ceremony: \(made.count) certificate(s) into the ledger, signed transcript anchored in the audit chain?") else {
                throw CeremonyAbort.refused("the commit")
            }
            let body = CeremonyTranscript.Body(ceremony: id, kind: "ceremony.run", name: script.name, scriptSHA256: script.sha256,
                                               matterCAVersion: Authority.version, ledger: try ledgerIdentity(), operatorName: actor,
                                               roles: .init(administrator: script.administrator, witness: script.witness, custodians: custodiansPresent),
                                               tokens: tokenIdentities(tokens), started: LedgerTime.iso8601(started),
                                               completed: LedgerTime.iso8601(clock()), steps: transcriptSteps)
            let transcript = try signTranscript(body, paaKeys: paaSigners, administrator: administratorKey)
            let bytes = try transcript.fileBytes()
            let sha = CeremonyTranscript.sha256(bytes)
            let ceremony = CeremonyRecord(id: id, kind: "ceremony.run", actor: actor, status: "completed", startedAt: started, completedAt: clock(),
                                          keySKID: made.first?.authority.skid, certificateSHA256: made.first?.certificate.sha256,
                                          detail: "{\"name\":\(jsonQuoted(script.name)),\"transcriptSHA256\":\"\(sha)\"}")
            let facts = made.map { CeremonyStepFacts(action: $0.action, certificate: $0.certificate, authority: $0.authority, payload: ["name": $0.authority.name]) }
            try ledger.recordCeremony(ceremony, steps: facts, transcriptSHA256: sha)
            try? FileManager.default.removeItem(at: journal)
            try checkpoint()
            return finish(id: id, made: made.map { ($0.authority, $0.issued) }, transcript: bytes, sha: sha)
        } catch {
            // Nothing was committed: every key this run generated goes (last first), then its journal.
            for g in generated.reversed() { try? g.key.destroy() }
            try? FileManager.default.removeItem(at: journal)
            throw error
        }
    }

    private func finish(id: String, made: [(AuthorityRecord, IssuedCertificate)], transcript bytes: Data, sha: String) -> CeremonyRunResult {
        let url = transcriptURL(id)
        do {
            var files: [URL] = []
            for (a, issued) in made { files += try writeCertificateFiles(issued, a) }
            try FileOutput.write(bytes, to: url)
            return CeremonyRunResult(ceremony: id, authorities: made.map(\.0), transcript: url, transcriptSHA256: sha, files: files, filesNotWritten: nil)
        } catch {
            return CeremonyRunResult(ceremony: id, authorities: made.map(\.0), transcript: url, transcriptSHA256: sha, files: [], filesNotWritten: "\(error)")
        }
    }

    /// Everything that can be judged before the token is touched: every step authorized (steps naming a CA made
    /// earlier in the run see a stand-in), its template as the script pins it, its request against the template.
    /// Returns whether the run needs the root token.
    private func preflight(_ script: CeremonyScript, _ principal: Principal) throws -> Bool {
        var standIns: [AuthorityRecord] = []
        var needsRoot = false
        for (n, step) in script.steps.enumerated() {
            let grant: Grant
            do { grant = try authorize(step.request, by: principal, staged: standIns) } catch {
                throw CeremonyAbort.notAllowed("step \(n + 1) (line \(step.line)): \(error)")
            }
            if let name = step.template, !grant.template.source.contains(name) {
                throw CeremonyAbort.notAllowed("step \(n + 1) (line \(step.line)) names template \(name), but \(grant.type.rawValue) certificates are made with \(grant.template.source)")
            }
            if let pinned = step.templateSHA256, pinned != grant.template.textSHA256 {
                throw CeremonyAbort.notAllowed("step \(n + 1) (line \(step.line)): template \(grant.template.source) has SHA-256 \(grant.template.textSHA256), the script pins \(pinned)")
            }
            do { try check(grant) } catch { throw CeremonyAbort.notAllowed("step \(n + 1) (line \(step.line)): \(error)") }
            let root = settings.custody?.rootTokenLabel
            if grant.type == .paa || (root != nil && grant.issuer?.tokenLabel == root) { needsRoot = true }
            let label = grant.type == .paa ? (root ?? pool.tokenLabel) : pool.tokenLabel
            standIns.append(AuthorityRecord(skid: "STEP-\(n + 1)", type: grant.type.rawValue, name: grant.name, tokenLabel: label, keyLabel: "",
                                            serial: "", parentSKID: grant.issuer?.skid, vid: grant.vid.map { Int($0.rawValue) },
                                            pid: grant.pid.map { Int($0.rawValue) }, certificateSHA256: "", createdAt: clock()))
        }
        return needsRoot && settings.custody != nil
    }

    private func describe(_ g: Grant) -> String {
        var s = "make \(g.type.rawValue.uppercased()) \"\(g.name)\""
        if let v = g.vid { s += " VID \(v.hex)" }
        if let p = g.pid { s += " PID \(p.hex)" }
        if let i = g.issuer { s += ", signed by \(i.type.uppercased()) \"\(i.name)\"" } else { s += ", self-signed" }
        return s + " with \(g.template.source) (SHA-256 \(g.template.textSHA256.prefix(16))…)"
    }

    /// Keys of a run that was killed before its commit (its journal is still there) and that no authority of the
    /// ledger owns: destroyed. A committed key is never touched.
    func destroyKeysOfInterruptedRuns(_ console: CeremonyConsole) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: home.transcripts.path)) ?? []
        for name in names where name.hasSuffix(".pending") {
            let url = home.transcripts.appendingPathComponent(name)
            let lines = (try? String(contentsOf: url, encoding: .utf8))?.split(separator: "\n") ?? []
            for line in lines {
                let f = line.split(separator: "\t").map(String.init)
                guard f.count == 3, let id = [UInt8](hex: f[1]), try ledger.authority(skid: f[1]) == nil else { continue }
                if let key = try? PKCS11Signer(pool: try keyPool(tokenLabel: f[2], for: "a key of an interrupted ceremony"), keyID: id) {
                    try key.destroy()
                    console.say("destroyed \(f[0]) of an interrupted ceremony (never committed)")
                }
            }
            try FileManager.default.removeItem(at: url)
        }
    }

    private func jsonQuoted(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

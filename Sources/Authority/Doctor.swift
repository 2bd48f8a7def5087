import Foundation
import Ledger
import MatterPKI
import Signing

/// `matter-ca doctor`: the health of a whole home, one line per check; healthy only when every check passes.
public enum Doctor {
    public struct Check: Codable, Sendable, Equatable {
        public let name: String
        public let ok: Bool
        public let detail: String
    }

    public static func run(home: AuthorityHome, pin: [UInt8]?, module: String? = nil) -> [Check] {
        var checks: [Check] = []
        func add(_ name: String, _ ok: Bool, _ detail: String) { checks.append(Check(name: name, ok: ok, detail: detail)) }
        let settings: AuthoritySettings
        let ledger: any Ledger
        do {
            settings = try home.loadSettings()
            ledger = try home.openLedger()
            add("ledger", true, "\(ledger.engine) ledger at \(ledger.location) reachable (\(try ledger.roundTrip())), "
                + "opens and reads (\(try ledger.counts()["certificates"] ?? 0) certificates)")
        } catch {
            add("ledger", false, "\(error)")
            return checks
        }
        checks += fileModes(home, settings: settings)
        // The token, logged in, and a key for every authority the ledger names.
        var authority: Authority?
        if let pin {
            do {
                authority = try Authority(home: home, pin: pin, moduleOverride: module, sessions: 1)
                add("token", true, "token \"\(settings.tokenLabel)\" reachable through \(module ?? settings.pkcs11Module), logged in")
            } catch { add("token", false, "\(error)") }
        } else {
            add("token", false, "no PIN given (MATTER_CA_PIN, MATTER_CA_PIN_FILE or a terminal): the token was not checked")
        }
        if let authority {
            do {
                for a in try ledger.authorities() {
                    let name = "key \(a.type.uppercased()) \"\(a.name)\""
                    if a.isExternal { add(name, true, "external (SKID \(a.skid)): no key held by this authority"); continue }
                    if let c = settings.custody, a.tokenLabel == c.rootTokenLabel, authority.custodiansPresent.isEmpty {
                        add(name, true, "on the root token \"\(c.rootTokenLabel)\" (opened by \(c.quorum) of \(c.custodians.count) custodians): not checked")
                        continue
                    }
                    do {
                        let signer = try authority.signer(for: a)
                        let cert = try authority.inventory.certificate(of: a)
                        if Array(signer.publicKey.x963Representation) == cert.publicKey.keyBytes {
                            add(name, true, "CKA_ID \(a.skid) is on the token and matches its certificate")
                        } else {
                            add(name, false, "the token key with CKA_ID \(a.skid) is not the key of its certificate")
                        }
                    } catch { add(name, false, "CKA_ID \(a.skid): \(error)") }
                }
                if let hex = settings.checkpointKeyID, let id = [UInt8](hex: hex) {
                    do { _ = try PKCS11Signer(pool: authority.pool, keyID: id); add("key audit checkpoints", true, "CKA_ID \(hex) is on the token") } catch {
                        add("key audit checkpoints", false, "CKA_ID \(hex): \(error)")
                    }
                }
            } catch { add("keys", false, "\(error)") }
        }
        do {
            let report = try AuditCheckpoints.verify(home: home, module: module)
            add("audit", report.intact, report.intact
                ? "\(report.entries) entries, \(report.certificateRows) certificate rows, \(report.checkpoints) signed checkpoints verified"
                : report.problems.map(\.description).joined(separator: "; "))
        } catch { add("audit", false, "\(error)") }
        do {
            let leftovers = try ledger.batches().compactMap { b -> String? in
                guard let out = b.outputPath else { return nil }
                let staging = BatchOutput.staging(URL(fileURLWithPath: out), batchID: b.id)
                guard let files = try? FileManager.default.contentsOfDirectory(atPath: staging.path) else { return nil }
                return "\(staging.path) (\(files.count) file(s), batch \(b.idempotencyKey), \(b.status))"
            }
            add("staging", leftovers.isEmpty, leftovers.isEmpty ? "no leftover staging folder with plaintext factory keys"
                : "leftover staging folders with plaintext factory keys: " + leftovers.joined(separator: ", ") +
                  " (resume the batch to deliver them, or remove them)")
        } catch { add("staging", false, "\(error)") }
        let interrupted = ((try? FileManager.default.contentsOfDirectory(atPath: home.transcripts.path)) ?? []).filter { $0.hasSuffix(".pending") }
        add("ceremonies", interrupted.isEmpty, interrupted.isEmpty ? "no interrupted ceremony run"
            : "interrupted ceremony run(s) left uncommitted keys in the token (\(interrupted.joined(separator: ", "))): the next `ceremony run` destroys them")
        checks.append(crlCheck(ledger, now: Date()))
        return checks
    }

    /// Published CRLs are current: none past its nextUpdate, and no revocation recorded after the last publication
    /// (checkers only learn of a revocation from a CRL).
    static func crlCheck(_ ledger: any Ledger, now: Date) -> Check {
        do {
            let crls = try ledger.currentCRLs()
            let lastRevoke = try ledger.auditEntries(action: "revoke", limit: 1).last?.seq ?? 0
            let lastPublish = try ledger.auditEntries(action: "crl.publish", limit: 1).last?.seq ?? 0
            var problems: [String] = []
            if lastRevoke > lastPublish { problems.append("revocations recorded after the last `crl publish` are in no CRL yet") }
            let stale = crls.filter { $0.nextUpdate <= now }.map(\.file)
            if !stale.isEmpty { problems.append("past nextUpdate: \(stale.joined(separator: ", ")) (run `matter-ca crl publish`)") }
            if problems.isEmpty {
                return Check(name: "crls", ok: true, detail: crls.isEmpty ? "no CRL published, nothing revoked" : "\(crls.count) CRL(s) current, next update \(LedgerTime.iso8601(crls.map(\.nextUpdate).min()!))")
            }
            return Check(name: "crls", ok: false, detail: problems.joined(separator: "; "))
        } catch { return Check(name: "crls", ok: false, detail: "\(error)") }
    }

    /// The home and everything secret in it are the owner's alone.
    static func fileModes(_ home: AuthorityHome, settings: AuthoritySettings) -> [Check] {
        var wanted: [(URL, Int)] = [(home.root, 0o700), (home.ledger, 0o600), (home.settings, 0o600)]
        if settings.softHSMConfig != nil { wanted += [(home.tokenDirectory, 0o700), (home.softHSMConfig, 0o600)] }
        let wrong = wanted.compactMap { url, mode -> String? in
            guard let m = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? Int else { return nil }
            return m & 0o077 != 0 ? "\(url.path) is \(String(m, radix: 8)), want \(String(mode, radix: 8))" : nil
        }
        return [Check(name: "file modes", ok: wrong.isEmpty, detail: wrong.isEmpty ? "home, ledger, settings and token are the owner's only" : wrong.joined(separator: "; "))]
    }
}

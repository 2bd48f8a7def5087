import Foundation
import Ledger
import MatterPKI

public enum RevocationError: Error, CustomStringConvertible, Equatable {
    case unknownReason(String)
    case unknownCertificate(String)
    case unknownBatch(String)
    case notACertificateOfThisAuthority(String)

    public var description: String {
        switch self {
        case .unknownReason(let r): return "unknownReason: \"\(r)\" is not one of \(RevocationRecord.reasons.joined(separator: ", "))"
        case .unknownCertificate(let s): return "unknownCertificate: no certificate with serial \(s) in the ledger"
        case .unknownBatch(let b): return "unknownBatch: no batch with ID or idempotency key \"\(b)\""
        case .notACertificateOfThisAuthority(let s): return "certificate \(s) is a PAA: a root is withdrawn from trust stores, not revoked"
        }
    }
}

/// What is revoked: one certificate, a whole factory batch, or a PAI.
public enum RevocationTarget: Sendable {
    case serial(String)
    case batch(String)
    /// SKID or name.
    case pai(String)
}

extension Authority {
    /// Revocation as a ledger fact (time, reason, actor) in the audit chain, after the one authorization: a vendor
    /// revokes its own DACs and batches; PAIs (with every DAC they issued) are the operator's or an administrator's. Revoking again is a no-op
    /// that says so; an unknown serial or batch, or another vendor's certificate, is refused and changes nothing.
    public func revoke(_ target: RevocationTarget, reason: String = "unspecified", by principal: Principal? = nil) throws -> RevocationOutcome {
        let who = principal ?? .operator(actor)
        guard RevocationRecord.reasons.contains(reason) else { throw RevocationError.unknownReason(reason) }
        var targets: [(issuerSKID: String, serial: String)] = []
        var payload: [String: String] = [:]
        switch target {
        case .serial(let serial):
            let s = serial.uppercased()
            let found = try ledger.certificates(matching: s).filter { $0.serial == s }
            guard let c = found.first else { throw RevocationError.unknownCertificate(s) }
            guard c.type != "paa" else { throw RevocationError.notACertificateOfThisAuthority(s) }
            try allowed(who, vid: c.vid, type: c.type, what: "certificate \(s)")
            targets = found.map { ($0.issuerSKID, $0.serial) }
            payload = ["serial": s, "type": c.type]
        case .batch(let key):
            guard let b = try ledger.batch(id: key) ?? ledger.batch(idempotencyKey: key) else { throw RevocationError.unknownBatch(key) }
            try allowed(who, vid: b.vid, type: "dac", what: "batch \(b.id)")
            targets = try ledger.batchCertificates(b.id).map { ($0.issuerSKID, $0.serial) }
            payload = ["batch": b.id]
        case .pai(let key):
            guard who.mayRequestCAs else { throw AuthorizationError.notPermitted(principal: who.description, request: "to revoke a PAI") }
            let pai = try inventory.authority(key, type: "pai")
            // A PAI signed by an external PAA is revoked on that PAA's CRL, which only its operator signs: recording it
            // here would publish nothing and mislead whoever reads the ledger.
            if let parent = pai.parentSKID, let paa = try ledger.authority(skid: parent), paa.isExternal {
                throw AuthorityError.refused("PAI \(pai.skid) was signed by the external PAA \(paa.skid): only that PAA's operator can revoke it (on their CRL); its DACs can be revoked here")
            }
            // Its DACs with it, in the same ledger fact: a checker that reads only the PAI's CRL shuts them out too,
            // and the SDK then reports 208 (PAI and DAC revoked) for each of them.
            targets = [(pai.parentSKID ?? "", pai.serial)] + (try ledger.serials(issuedBy: pai.skid)).map { (pai.skid, $0) }
            payload = ["pai": pai.skid]
        }
        return try ledger.revoke(targets, reason: reason, actor: who.description, payload: payload)
    }

    private func allowed(_ who: Principal, vid: Int?, type: String, what: String) throws {
        switch who {
        case .operator, .admin: return
        case .vendor(let v, _) where type == "dac" && vid == Int(v.rawValue): return
        default: throw AuthorizationError.notPermitted(principal: who.description, request: "to revoke \(what)")
        }
    }
}

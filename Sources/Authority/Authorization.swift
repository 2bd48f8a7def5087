import CertificateTemplates
import Foundation
import Ledger
import MatterPKI

/// Who is asking. Every front end maps its credential to one of these and calls `authorize`; nothing else decides
/// what may be issued.
public enum Principal: Sendable, Equatable, CustomStringConvertible {
    /// The operator at the CLI, on the authority's own machine: any request the registry allows.
    case `operator`(String)
    /// A vendor's credential (API token, factory station certificate): DACs for that vendor only.
    case vendor(VendorID, credential: String)
    /// An administrator over the network: what the operator may do.
    case admin(String)
    /// A device authenticated by its current DAC: a new DAC with the same VID and PID (EST re-enrollment).
    case device(VendorID, ProductID, serial: String)

    public var description: String {
        switch self {
        case .operator(let who): return who
        case .vendor(let v, let c): return "vendor \(v.hex) (\(c))"
        case .admin(let who): return "admin \(who)"
        case .device(let v, let p, let serial): return "device \(v.hex)/\(p.hex) (DAC \(serial))"
        }
    }

    /// Vendors and devices ask for DACs only.
    var mayRequestCAs: Bool {
        switch self {
        case .operator, .admin: return true
        case .vendor, .device: return false
        }
    }
}

/// What is asked for, before anyone has checked it.
public struct IssueRequest: Sendable {
    public enum Kind: Sendable {
        case paa(vid: VendorID?, lifetime: Template.Lifetime?)
        /// `paa`: SKID or name.
        case pai(paa: String, vid: VendorID, pid: ProductID?)
        /// `pai`: SKID or name.
        case dac(vendor: VendorID, pid: ProductID, pai: String)
        /// A delegated CRL signer for a PAA or PAI (SKID or name).
        case crlSigner(ca: String)
    }
    public var kind: Kind
    public var name: String
    public init(_ kind: Kind, name: String) { self.kind = kind; self.name = name }
}

/// A request that `authorize` accepted: the only thing the issue path takes. Its initializer is private to this
/// file, so no front end can make one without authorization.
public struct Grant: Sendable {
    public let principal: Principal
    public let type: CertificateType
    public let name: String
    public let vid: VendorID?
    public let pid: ProductID?
    /// The authority that signs (nil for a self-signed PAA).
    public let issuer: AuthorityRecord?
    public let template: Template
    public let vendor: VendorDefinition?

    fileprivate init(principal: Principal, type: CertificateType, name: String, vid: VendorID?, pid: ProductID?, issuer: AuthorityRecord?,
                     template: Template, vendor: VendorDefinition?) {
        self.principal = principal; self.type = type; self.name = name; self.vid = vid; self.pid = pid; self.issuer = issuer
        self.template = template; self.vendor = vendor
    }
}

/// Why a request is refused: who is asking does not match what the ledger says they may get.
public enum AuthorizationError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownVendor(VendorID)
    case pidNotAllowedForVendor(ProductID, VendorID)
    case unknownPAI(String)
    case paiDoesNotServeVendor(pai: String, vendor: VendorID)
    case paiVendorMismatch(pai: String, paiVID: String, vendor: VendorID)
    case paiProductMismatch(pai: String, paiPID: ProductID, requested: ProductID)
    case notPermitted(principal: String, request: String)
    case issuerRevoked(String)

    public var description: String {
        switch self {
        case .unknownVendor(let v): return "unknownVendor: no vendor with VID \(v) in the ledger (matter-ca vendor import)"
        case .pidNotAllowedForVendor(let p, let v): return "pidNotAllowedForVendor: PID \(p) is not one of vendor \(v)'s products"
        case .unknownPAI(let k): return "unknownPAI: no PAI with SKID or name \"\(k)\""
        case .paiDoesNotServeVendor(let p, let v): return "paiDoesNotServeVendor: PAI \(p) does not serve vendor \(v)"
        case .paiVendorMismatch(let p, let pv, let v): return "paiVendorMismatch: PAI \(p) carries VID \(pv), the vendor is \(v)"
        case .paiProductMismatch(let p, let pp, let r): return "paiProductMismatch: PAI \(p) is scoped to PID \(pp), the request is for \(r)"
        case .notPermitted(let who, let what): return "notPermitted: \(who) may not request \(what)"
        case .issuerRevoked(let i): return "issuerRevoked: \(i) is revoked and issues nothing more"
        }
    }
}

extension Authority {
    /// The one authorization, for every front end and every certificate type: the principal's rights, the
    /// vendor registry (VID, PIDs, serving PAIs), the issuer's scope, and the template that will shape it.
    /// `staged`: CA authorities made earlier in the same ceremony run, not yet in the ledger.
    public func authorize(_ request: IssueRequest, by principal: Principal, staged: [AuthorityRecord] = []) throws -> Grant {
        switch request.kind {
        case .paa(let vid, let lifetime):
            guard principal.mayRequestCAs else { throw AuthorizationError.notPermitted(principal: principal.description, request: "a PAA") }
            var template = templates[.paa]!
            if let lifetime { template.lifetime = lifetime }
            return Grant(principal: principal, type: .paa, name: request.name, vid: vid, pid: nil, issuer: nil, template: template, vendor: nil)
        case .pai(let paaKey, let vid, let pid):
            guard principal.mayRequestCAs else { throw AuthorizationError.notPermitted(principal: principal.description, request: "a PAI") }
            let paa = try staged.first { $0.type == "paa" && ($0.skid == paaKey.uppercased() || $0.name == paaKey) }
                ?? inventory.authority(paaKey, type: "paa")
            try refuseIfExternal(paa)
            if let scoped = paa.vid, scoped != Int(vid.rawValue) {
                throw AuthorityError.vidMismatch(paaVID: VendorID(UInt16(scoped)).hex, requested: vid.hex)
            }
            return Grant(principal: principal, type: .pai, name: request.name, vid: vid, pid: pid, issuer: paa, template: templates[.pai]!, vendor: nil)
        case .crlSigner(let key):
            guard principal.mayRequestCAs else { throw AuthorizationError.notPermitted(principal: principal.description, request: "a CRL signer") }
            let cas = try ledger.authorities(type: "paa") + ledger.authorities(type: "pai") + staged.filter { $0.type == "paa" || $0.type == "pai" }
            let matches = cas.filter { $0.skid == key.uppercased() || $0.name == key }
            guard matches.count == 1 else {
                if matches.isEmpty { throw AuthorityError.unknownAuthority(key, type: "PAA or PAI") }
                throw AuthorityError.ambiguousAuthority(key, matches.map(\.skid))
            }
            let ca = matches[0]
            try refuseIfExternal(ca)
            try refuseIfRevoked(ca)
            return Grant(principal: principal, type: .crlSigner, name: request.name, vid: ca.vid.map { VendorID(UInt16($0)) },
                         pid: ca.pid.map { ProductID(UInt16($0)) }, issuer: ca, template: templates[.crlSigner]!, vendor: nil)
        case .dac(let vid, let pid, let paiKey):
            if case .vendor(let own, _) = principal, own != vid {
                throw AuthorizationError.notPermitted(principal: principal.description, request: "DACs for vendor \(vid.hex)")
            }
            if case .device(let v, let p, _) = principal, v != vid || p != pid {
                throw AuthorizationError.notPermitted(principal: principal.description, request: "a DAC for \(vid.hex)/\(pid.hex) (a device keeps its VID and PID)")
            }
            let (vendor, pai) = try authorizeDAC(vendor: vid, pid: pid, pai: paiKey)
            return Grant(principal: principal, type: .dac, name: "DAC \(vid.hex)/\(pid.hex)", vid: vid, pid: pid, issuer: pai,
                         template: templates[.dac]!, vendor: vendor)
        }
    }

    /// A DAC request names a vendor: the VID is the vendor's, the PID one of its products, the PAI one that serves
    /// it and whose VID (and PID, if it has one) match. A ledger that cannot be read is that error, never "unknown".
    /// A revoked CA signs CRLs (its revoked list stays published) and nothing else.
    func refuseIfRevoked(_ ca: AuthorityRecord) throws {
        guard let parent = ca.parentSKID, try ledger.revocation(issuerSKID: parent, serial: ca.serial) != nil else { return }
        throw AuthorizationError.issuerRevoked("\(ca.type.uppercased()) \(ca.skid)")
    }

    func authorizeDAC(vendor vid: VendorID, pid: ProductID, pai key: String) throws -> (VendorDefinition, AuthorityRecord) {
        // A server answers the same few (VID, PID, PAI) again and again: the facts are read once and kept while the
        // audit log records nothing but issuance (a vendor import, a revocation or a new CA drops them).
        let facts = try dacFacts.value("\(vid.rawValue)/\(pid.rawValue)/\(key)") { try readDACFacts(vendor: vid, pid: pid, pai: key) }
        return (facts.vendor, facts.pai)
    }

    func readDACFacts(vendor vid: VendorID, pid: ProductID, pai key: String) throws -> DACFacts {
        guard let vendor = try ledger.vendor(vid: Int(vid.rawValue)) else { throw AuthorizationError.unknownVendor(vid) }
        guard vendor.allows(pid: Int(pid.rawValue)) else { throw AuthorizationError.pidNotAllowedForVendor(pid, vid) }
        let matches = try ledger.authorities(type: "pai").filter { $0.skid == key.uppercased() || $0.name == key }
        guard matches.count == 1 else { throw AuthorizationError.unknownPAI(key) }
        let pai = matches[0]
        guard vendor.paiSKIDs.contains(pai.skid) else { throw AuthorizationError.paiDoesNotServeVendor(pai: pai.skid, vendor: vid) }
        guard pai.vid == Int(vid.rawValue) else {
            throw AuthorizationError.paiVendorMismatch(pai: pai.skid, paiVID: pai.vid.map { String(format: "%04X", $0) } ?? "none", vendor: vid)
        }
        if let p = pai.pid, p != Int(pid.rawValue) { throw AuthorizationError.paiProductMismatch(pai: pai.skid, paiPID: ProductID(UInt16(p)), requested: pid) }
        try refuseIfRevoked(pai)
        return DACFacts(vendor: vendor, pai: pai)
    }
}

/// A DAC request's vendor and PAI, as its authorization found them.
struct DACFacts: Sendable {
    let vendor: VendorDefinition
    let pai: AuthorityRecord
}

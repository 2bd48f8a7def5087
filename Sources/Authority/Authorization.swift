import Foundation
import Ledger
import MatterPKI

/// Why a DAC request is refused: who is asking does not match what the ledger says they may get.
public enum AuthorizationError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownVendor(VendorID)
    case pidNotAllowedForVendor(ProductID, VendorID)
    case unknownPAI(String)
    case paiDoesNotServeVendor(pai: String, vendor: VendorID)
    case paiVendorMismatch(pai: String, paiVID: String, vendor: VendorID)
    case paiProductMismatch(pai: String, paiPID: ProductID, requested: ProductID)

    public var description: String {
        switch self {
        case .unknownVendor(let v): return "unknownVendor: no vendor with VID \(v) in the ledger (matter-ca vendor import)"
        case .pidNotAllowedForVendor(let p, let v): return "pidNotAllowedForVendor: PID \(p) is not one of vendor \(v)'s products"
        case .unknownPAI(let k): return "unknownPAI: no PAI with SKID or name \"\(k)\""
        case .paiDoesNotServeVendor(let p, let v): return "paiDoesNotServeVendor: PAI \(p) does not serve vendor \(v)"
        case .paiVendorMismatch(let p, let pv, let v): return "paiVendorMismatch: PAI \(p) carries VID \(pv), the vendor is \(v)"
        case .paiProductMismatch(let p, let pp, let r): return "paiProductMismatch: PAI \(p) is scoped to PID \(pp), the request is for \(r)"
        }
    }
}

extension Authority {
    /// A DAC request names a vendor: the VID is the vendor's, the PID one of its products, the PAI one that serves
    /// it and whose VID (and PID, if it has one) match.
    public func authorizeDAC(vendor vid: VendorID, pid: ProductID, pai key: String) throws(AuthorizationError) -> (VendorDefinition, AuthorityRecord) {
        guard let vendor = try? ledger.vendor(vid: Int(vid.rawValue)) else { throw .unknownVendor(vid) }
        guard vendor.allows(pid: Int(pid.rawValue)) else { throw .pidNotAllowedForVendor(pid, vid) }
        let pais = (try? ledger.authorities(type: "pai")) ?? []
        let matches = pais.filter { $0.skid == key.uppercased() || $0.name == key }
        guard matches.count == 1 else { throw .unknownPAI(key) }
        let pai = matches[0]
        guard vendor.paiSKIDs.contains(pai.skid) else { throw .paiDoesNotServeVendor(pai: pai.skid, vendor: vid) }
        guard pai.vid == Int(vid.rawValue) else {
            throw .paiVendorMismatch(pai: pai.skid, paiVID: pai.vid.map { String(format: "%04X", $0) } ?? "none", vendor: vid)
        }
        if let p = pai.pid, p != Int(pid.rawValue) { throw .paiProductMismatch(pai: pai.skid, paiPID: ProductID(UInt16(p)), requested: pid) }
        return (vendor, pai)
    }
}

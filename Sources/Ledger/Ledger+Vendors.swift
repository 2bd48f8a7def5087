import Foundation
import GRDB

extension Ledger {
    public enum ImportChange: Equatable, Sendable { case added, updated, unchanged }

    /// Replaces the given vendors' definitions in one transaction with one audit entry; vendors not given are
    /// kept. Returns what changed per VID.
    public func importVendors(_ definitions: [VendorDefinition], actor: String, source: String) throws -> [Int: ImportChange] {
        try pool.write { db in
            var changes: [Int: ImportChange] = [:]
            for d in definitions {
                let existing = try VendorRecord.fetchOne(db, key: d.vendor.vid)
                if existing?.definitionSHA256 == d.vendor.definitionSHA256 { changes[d.vendor.vid] = .unchanged; continue }
                changes[d.vendor.vid] = existing == nil ? .added : .updated
                try db.execute(sql: "DELETE FROM vendor_products WHERE vid = ?", arguments: [d.vendor.vid])
                try db.execute(sql: "DELETE FROM vendor_pais WHERE vid = ?", arguments: [d.vendor.vid])
                try d.vendor.save(db)
                for r in d.products {
                    try db.execute(sql: "INSERT INTO vendor_products (vid, first, last) VALUES (?, ?, ?)", arguments: [d.vendor.vid, r.lowerBound, r.upperBound])
                }
                for s in d.paiSKIDs {
                    try db.execute(sql: "INSERT INTO vendor_pais (vid, paiSKID) VALUES (?, ?)", arguments: [d.vendor.vid, s])
                }
            }
            let summary = changes.sorted { $0.key < $1.key }.map { String(format: "%04X:", $0.key) + "\($0.value)" }.joined(separator: " ")
            if changes.values.contains(where: { $0 != .unchanged }) {
                try AuditLog.append(db, actor: actor, action: "vendor.import", payload: ["source": source, "changes": summary])
            }
            return changes
        }
    }

    public func vendor(vid: Int) throws -> VendorDefinition? {
        try pool.read { db in
            guard let v = try VendorRecord.fetchOne(db, key: vid) else { return nil }
            let products = try Row.fetchAll(db, sql: "SELECT first, last FROM vendor_products WHERE vid = ? ORDER BY first", arguments: [vid])
                .map { ($0["first"] as Int)...($0["last"] as Int) }
            let pais = try String.fetchAll(db, sql: "SELECT paiSKID FROM vendor_pais WHERE vid = ? ORDER BY paiSKID", arguments: [vid])
            return VendorDefinition(vendor: v, products: products, paiSKIDs: pais)
        }
    }

    public func vendors() throws -> [VendorDefinition] {
        let vids = try pool.read { db in try Int.fetchAll(db, sql: "SELECT vid FROM vendors ORDER BY vid") }
        return try vids.compactMap { try vendor(vid: $0) }
    }
}

import Foundation
internal import GRDB

extension SQLiteLedger {
    public func vendor(vid: Int) throws -> VendorDefinition? {
        try read { db in try Self.vendor(db, vid: vid) }
    }

    static func vendor(_ db: Database, vid: Int) throws -> VendorDefinition? {
        guard let v = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM vendors WHERE vid = ?"), arguments: [vid]).map(VendorRecord.init(row:)) else { return nil }
        let products = try Row.fetchAll(try db.cachedStatement(sql: "SELECT first, last FROM vendor_products WHERE vid = ? ORDER BY first"), arguments: [vid])
            .map { ($0["first"] as Int)...($0["last"] as Int) }
        let pais = try String.fetchAll(try db.cachedStatement(sql: "SELECT paiSKID FROM vendor_pais WHERE vid = ? ORDER BY paiSKID"), arguments: [vid])
        return VendorDefinition(vendor: v, products: products, paiSKIDs: pais)
    }

    public func vendors() throws -> [VendorDefinition] {
        try read { db in try Int.fetchAll(try db.cachedStatement(sql: "SELECT vid FROM vendors ORDER BY vid")).compactMap { try Self.vendor(db, vid: $0) } }
    }
}

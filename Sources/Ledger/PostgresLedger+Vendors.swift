import Foundation

extension PostgresLedger {
    public func vendor(vid: Int) throws -> VendorDefinition? {
        try read { s in try Self.vendor(s, vid: vid) }
    }

    static func vendor(_ s: PostgresSession, vid: Int) throws -> VendorDefinition? {
        let v = LedgerValue.optional(vid)
        guard let vendor = try s.one("SELECT * FROM vendors WHERE vid = $1", [v]).map(VendorRecord.init(row:)) else { return nil }
        let products = try s.query(#"SELECT "first", "last" FROM vendor_products WHERE vid = $1 ORDER BY "first""#, [v]).map { $0.int("first")...$0.int("last") }
        let pais = try s.query(#"SELECT "paiSKID" FROM vendor_pais WHERE vid = $1 ORDER BY "paiSKID""#, [v]).map { $0.text("paiSKID") }
        return VendorDefinition(vendor: vendor, products: products, paiSKIDs: pais)
    }

    public func vendors() throws -> [VendorDefinition] {
        try read { s in try s.query("SELECT vid FROM vendors ORDER BY vid").compactMap { try Self.vendor(s, vid: $0.int("vid")) } }
    }
}

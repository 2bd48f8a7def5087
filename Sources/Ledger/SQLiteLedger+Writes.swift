import Foundation
internal import GRDB

extension SQLiteLedger {
    public func recordCertificates(_ groups: [CertificateGroup]) throws {
        let at = now()
        try write { db in
            for g in groups where !g.certificates.isEmpty {
                try SQLiteAudit.appendCertificates(db, g.certificates, at: at, actor: g.actor, action: g.action, payload: g.auditPayload)
            }
        }
    }

    public func beginCeremony(kind: String, actor: String, detail: [String: String]) throws -> CeremonyRecord {
        let at = now()
        let c = CeremonyRecord(id: UUID().uuidString, kind: kind, actor: actor, status: "started", startedAt: at, completedAt: nil,
                               keySKID: nil, certificateSHA256: nil, detail: nil)
        try write { db in
            try Self.save(c, db)
            try SQLiteAudit.append(db, at: at, actor: actor, action: "\(kind).start", payload: detail.merging(["ceremony": c.id]) { a, _ in a })
        }
        return c
    }

    public func completeCeremony(_ ceremony: CeremonyRecord, certificate: CertificateRecord, authority: AuthorityRecord,
                                 payload: [String: String]) throws {
        let at = now()
        try write { db in
            try db.insert("authorities", AuthorityRecord.columns, authority.values)
            try Self.save(ceremony.completed(at: at, authority: authority, certificate: certificate), db)
            try SQLiteAudit.appendCertificates(db, [certificate], at: at, actor: ceremony.actor, action: ceremony.kind,
                                               payload: ceremony.completionPayload(payload, certificate: certificate, authority: authority))
        }
    }

    public func failCeremony(_ ceremony: CeremonyRecord, reason: String) throws {
        let at = now()
        try write { db in
            try Self.save(ceremony.failed(at: at, reason: reason), db)
            try SQLiteAudit.append(db, at: at, actor: ceremony.actor, action: "\(ceremony.kind).failed", payload: ["ceremony": ceremony.id, "reason": reason])
        }
    }

    static func save(_ c: CeremonyRecord, _ db: Database) throws {
        try db.insert("ceremonies", CeremonyRecord.columns, c.values, or: "OR REPLACE ")
    }

    // MARK: vendors

    public func importVendors(_ definitions: [VendorDefinition], actor: String, source: String) throws -> [Int: VendorImportChange] {
        let at = now()
        return try write { db in
            var changes: [Int: VendorImportChange] = [:]
            for d in definitions {
                let existing = try String.fetchOne(try db.cachedStatement(sql: "SELECT definitionSHA256 FROM vendors WHERE vid = ?"), arguments: [d.vendor.vid])
                if existing == d.vendor.definitionSHA256 { changes[d.vendor.vid] = .unchanged; continue }
                changes[d.vendor.vid] = existing == nil ? .added : .updated
                try db.execute(sql: "DELETE FROM vendor_products WHERE vid = ?", arguments: [d.vendor.vid])
                try db.execute(sql: "DELETE FROM vendor_pais WHERE vid = ?", arguments: [d.vendor.vid])
                try db.execute(sql: "INSERT OR REPLACE INTO vendors (vid, name, contact, source, definitionSHA256, updatedAt) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [d.vendor.vid, d.vendor.name, d.vendor.contact, d.vendor.source, d.vendor.definitionSHA256,
                                           LedgerTime.storage(d.vendor.updatedAt)])
                for r in d.products {
                    try db.execute(sql: "INSERT INTO vendor_products (vid, first, last) VALUES (?, ?, ?)", arguments: [d.vendor.vid, r.lowerBound, r.upperBound])
                }
                for s in d.paiSKIDs {
                    try db.execute(sql: "INSERT INTO vendor_pais (vid, paiSKID) VALUES (?, ?)", arguments: [d.vendor.vid, s])
                }
            }
            if changes.values.contains(where: { $0 != .unchanged }) {
                try SQLiteAudit.append(db, at: at, actor: actor, action: "vendor.import", payload: ["source": source, "changes": VendorImportChange.summary(changes)])
            }
            return changes
        }
    }

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

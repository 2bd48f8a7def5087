import Foundation

extension PostgresLedger {
    public func recordCertificates(_ groups: [CertificateGroup]) throws {
        let at = now()
        try audited { s in
            for g in groups where !g.certificates.isEmpty {
                try PostgresAudit.appendCertificates(s, g.certificates, at: at, actor: g.actor, action: g.action, payload: g.auditPayload)
            }
        }
    }

    public func beginCeremony(kind: String, actor: String, detail: [String: String]) throws -> CeremonyRecord {
        let at = now()
        let c = CeremonyRecord(id: UUID().uuidString, kind: kind, actor: actor, status: "started", startedAt: at, completedAt: nil,
                               keySKID: nil, certificateSHA256: nil, detail: nil)
        try audited { s in
            try save(c, s)
            try PostgresAudit.append(s, at: at, actor: actor, action: "\(kind).start", payload: detail.merging(["ceremony": c.id]) { a, _ in a })
        }
        return c
    }

    public func completeCeremony(_ ceremony: CeremonyRecord, certificate: CertificateRecord, authority: AuthorityRecord,
                                 payload: [String: String]) throws {
        let at = now()
        try audited { s in
            try PostgresAudit.insert(s, table: "authorities", columns: AuthorityRecord.columns, rows: [authority.values])
            try save(ceremony.completed(at: at, authority: authority, certificate: certificate), s)
            try PostgresAudit.appendCertificates(s, [certificate], at: at, actor: ceremony.actor, action: ceremony.kind,
                                                 payload: ceremony.completionPayload(payload, certificate: certificate, authority: authority))
        }
    }

    public func failCeremony(_ ceremony: CeremonyRecord, reason: String) throws {
        let at = now()
        try audited { s in
            try save(ceremony.failed(at: at, reason: reason), s)
            try PostgresAudit.append(s, at: at, actor: ceremony.actor, action: "\(ceremony.kind).failed", payload: ["ceremony": ceremony.id, "reason": reason])
        }
    }

    func save(_ c: CeremonyRecord, _ s: PostgresSession) throws {
        let cols = CeremonyRecord.columns
        let updates = cols.dropFirst().map { "\(PostgresAudit.quoted($0)) = EXCLUDED.\(PostgresAudit.quoted($0))" }.joined(separator: ", ")
        let placeholders = (1...cols.count).map { "$\($0)" }.joined(separator: ", ")
        try s.execute("INSERT INTO ceremonies (\(cols.map(PostgresAudit.quoted).joined(separator: ", "))) VALUES (\(placeholders)) ON CONFLICT (id) DO UPDATE SET \(updates)",
                      c.values)
    }

    // MARK: vendors

    public func importVendors(_ definitions: [VendorDefinition], actor: String, source: String) throws -> [Int: VendorImportChange] {
        let at = now()
        return try audited { s in
            var changes: [Int: VendorImportChange] = [:]
            for d in definitions {
                let vid = LedgerValue.optional(d.vendor.vid)
                let existing = try s.one(#"SELECT "definitionSHA256" FROM vendors WHERE vid = $1"#, [vid])?.text("definitionSHA256")
                if existing == d.vendor.definitionSHA256 { changes[d.vendor.vid] = .unchanged; continue }
                changes[d.vendor.vid] = existing == nil ? .added : .updated
                try s.execute("DELETE FROM vendor_products WHERE vid = $1", [vid])
                try s.execute("DELETE FROM vendor_pais WHERE vid = $1", [vid])
                try s.execute(#"""
                    INSERT INTO vendors (vid, name, contact, source, "definitionSHA256", "updatedAt") VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (vid) DO UPDATE SET name = EXCLUDED.name, contact = EXCLUDED.contact, source = EXCLUDED.source,
                        "definitionSHA256" = EXCLUDED."definitionSHA256", "updatedAt" = EXCLUDED."updatedAt"
                    """#, [vid, .text(d.vendor.name), .optional(d.vendor.contact), .text(d.vendor.source), .text(d.vendor.definitionSHA256),
                           .time(d.vendor.updatedAt)])
                try PostgresAudit.insert(s, table: "vendor_products", columns: ["vid", "first", "last"],
                                         rows: d.products.map { [vid, .optional($0.lowerBound), .optional($0.upperBound)] })
                try PostgresAudit.insert(s, table: "vendor_pais", columns: ["vid", "paiSKID"], rows: d.paiSKIDs.map { [vid, .text($0)] })
            }
            if changes.values.contains(where: { $0 != .unchanged }) {
                try PostgresAudit.append(s, at: at, actor: actor, action: "vendor.import", payload: ["source": source, "changes": VendorImportChange.summary(changes)])
            }
            return changes
        }
    }

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

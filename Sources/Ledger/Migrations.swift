import GRDB

enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: authorities, certificates, ceremonies, audit log") { db in
            try db.create(table: "authorities") { t in
                t.primaryKey("skid", .text)
                t.column("type", .text).notNull().check { ["paa", "pai"].contains($0) }
                t.column("name", .text).notNull()
                t.column("tokenLabel", .text).notNull()
                t.column("keyLabel", .text).notNull()
                t.column("serial", .text).notNull()
                t.column("parentSKID", .text).references("authorities")
                t.column("vid", .integer)
                t.column("pid", .integer)
                t.column("certificateSHA256", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "certificates") { t in
                t.column("issuerSKID", .text).notNull()
                t.column("serial", .text).notNull()
                t.column("type", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("skid", .text).notNull()
                t.column("vid", .integer)
                t.column("pid", .integer)
                t.column("notBefore", .datetime).notNull()
                t.column("notAfter", .datetime).notNull()
                t.column("der", .blob).notNull()
                t.column("sha256", .text).notNull().unique()
                t.column("status", .text).notNull().defaults(to: "issued")
                t.column("batchID", .text)
                t.column("createdAt", .datetime).notNull()
                t.primaryKey(["issuerSKID", "serial"])   // serials are unique per issuer, never reused
            }
            try db.create(index: "certificates_skid", on: "certificates", columns: ["skid"])
            try db.create(table: "ceremonies") { t in
                t.primaryKey("id", .text)
                t.column("kind", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("status", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("completedAt", .datetime)
                t.column("keySKID", .text)
                t.column("certificateSHA256", .text)
                t.column("detail", .text)
            }
            try db.create(table: "audit_log") { t in
                t.primaryKey("seq", .integer)
                t.column("at", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("payload", .text).notNull()
                t.column("payloadSHA256", .text).notNull()
                t.column("prevHash", .text).notNull()
                t.column("hash", .text).notNull()
            }
            // Append-only by construction; the hash chain still catches whoever drops these first.
            try db.execute(sql: """
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
        }
        m.registerMigration("v2: vendors, batches") { db in
            try db.create(table: "vendors") { t in
                t.primaryKey("vid", .integer)
                t.column("name", .text).notNull()
                t.column("contact", .text)
                t.column("source", .text).notNull()
                t.column("definitionSHA256", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "vendor_products") { t in
                t.column("vid", .integer).notNull().references("vendors", onDelete: .cascade)
                t.column("first", .integer).notNull()
                t.column("last", .integer).notNull()
            }
            try db.create(table: "vendor_pais") { t in
                t.column("vid", .integer).notNull().references("vendors", onDelete: .cascade)
                t.column("paiSKID", .text).notNull().references("authorities")
                t.primaryKey(["vid", "paiSKID"])
            }
            try db.create(table: "batches") { t in
                t.primaryKey("id", .text)
                t.column("idempotencyKey", .text).notNull().unique()
                t.column("vid", .integer).notNull()
                t.column("pid", .integer).notNull()
                t.column("paiSKID", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("count", .integer).notNull()
                t.column("requestSHA256", .text).notNull()
                t.column("status", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("completedAt", .datetime)
            }
            try db.alter(table: "certificates") { t in t.add(column: "batchItem", .integer) }
            try db.create(index: "certificates_batch", on: "certificates", columns: ["batchID", "batchItem"], unique: true)
        }
        return m
    }
}

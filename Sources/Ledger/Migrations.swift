import Foundation
internal import GRDB

enum Migrations {
    static func migrator(clock: @escaping @Sendable () -> Date) -> DatabaseMigrator {
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
            try appendOnly(db, "audit_log", "audit_log is append-only")
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
        m.registerMigration("v3: certificate rows bound into the audit chain, checkpoints, batch leases") { db in
            try db.alter(table: "certificates") { t in
                t.add(column: "auditSeq", .integer)
                t.add(column: "rowHash", .text)
            }
            try db.alter(table: "audit_log") { t in t.add(column: "format", .integer).notNull().defaults(to: 1) }
            try db.alter(table: "batches") { t in
                t.add(column: "outputPath", .text)
                t.add(column: "leaseOwner", .text)
                t.add(column: "leaseUntil", .text)
            }
            // A serial alone (show SERIAL, revocation) is a lookup, not a scan.
            try db.create(index: "certificates_serial", on: "certificates", columns: ["serial"])
            // `audit verify` reads rows grouped by the entry that bound them with a sort, not an index: an index
            // would cost every issuance its upkeep for the sake of a rare walk.
            try db.create(table: "audit_checkpoints") { t in
                t.primaryKey("seq", .integer)
                t.column("hash", .text).notNull()
                t.column("at", .text).notNull()
                t.column("keyID", .text).notNull()
                t.column("signature", .blob).notNull()
            }
            try appendOnly(db, "audit_checkpoints", "audit_checkpoints is append-only")
            try bindExistingCertificates(db, at: clock())
        }
        m.registerMigration("v4: credentials of the network front ends") { db in
            try db.create(table: "credentials") { t in
                t.primaryKey("id", .text)
                t.column("kind", .text).notNull()
                t.column("role", .text).notNull()
                t.column("vid", .integer)
                t.column("label", .text).notNull()
                t.column("secretSHA256", .text).notNull().unique()
                t.column("createdAt", .text).notNull()
                t.column("revokedAt", .text)
            }
        }
        m.registerMigration("v5: revocations") { db in
            try db.create(table: "revocations") { t in
                t.column("issuerSKID", .text).notNull()
                t.column("serial", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("revokedAt", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("auditSeq", .integer).notNull()
                t.column("rowHash", .text).notNull()
                t.primaryKey(["issuerSKID", "serial"])
            }
            try appendOnly(db, "revocations", "revocations are append-only")
        }
        m.registerMigration("v6: published CRLs, delegated CRL signers") { db in
            // SQLite cannot widen a CHECK in place: the authorities table is rebuilt (foreign keys are checked when the
            // migration ends), with the same rows.
            try db.create(table: "authorities_v6") { t in
                t.primaryKey("skid", .text)
                t.column("type", .text).notNull().check { ["paa", "pai", "crl-signer"].contains($0) }
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
            try db.execute(sql: """
                INSERT INTO authorities_v6 (skid, type, name, tokenLabel, keyLabel, serial, parentSKID, vid, pid, certificateSHA256, createdAt)
                SELECT skid, type, name, tokenLabel, keyLabel, serial, parentSKID, vid, pid, certificateSHA256, createdAt FROM authorities;
                DROP TABLE authorities;
                ALTER TABLE authorities_v6 RENAME TO authorities;
                """)
            try db.create(table: "crls") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("publication", .text).notNull()
                t.column("caSKID", .text).notNull()
                t.column("signerSKID", .text).notNull()
                t.column("partition", .integer)
                t.column("number", .integer).notNull()
                t.column("thisUpdate", .text).notNull()
                t.column("nextUpdate", .text).notNull()
                t.column("entries", .integer).notNull()
                t.column("size", .integer).notNull()
                t.column("sha256", .text).notNull()
                t.column("url", .text).notNull()
                t.column("file", .text).notNull()
                t.column("auditSeq", .integer).notNull()
            }
            // A cRLNumber is never reused by a signer, even by two publishers racing.
            try db.create(index: "crls_signer_number", on: "crls", columns: ["signerSKID", "number"], unique: true)
            try appendOnly(db, "crls", "crls are append-only")
        }
        return m
    }

    /// No UPDATE or DELETE on `table` (`<table>_no_update`, `<table>_no_delete` triggers): whoever drops them first is
    /// still caught by the hash chain.
    static func appendOnly(_ db: Database, _ table: String, _ message: String) throws {
        try db.execute(sql: """
            CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table) BEGIN SELECT RAISE(ABORT, '\(message)'); END;
            CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table) BEGIN SELECT RAISE(ABORT, '\(message)'); END;
            """)
    }

    /// Certificates recorded before rows were bound into the chain are bound now, by one audit entry that names
    /// their count and digest.
    static func bindExistingCertificates(_ db: Database, at: Date) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM certificates ORDER BY issuerSKID, serial")
        guard !rows.isEmpty else { return }
        let seq = try SQLiteAudit.head(db).seq + 1
        var digest = AuditChain.Digest()
        for row in rows {
            let f = AuditChain.RowFacts(row: row)
            digest.add(f.hash)
            try db.execute(sql: "UPDATE certificates SET auditSeq = ?, rowHash = ? WHERE issuerSKID = ? AND serial = ?",
                           arguments: [seq, f.hash, f.issuerSKID, f.serial])
        }
        try SQLiteWriteTransaction(db: db).appendAudit(at: at, actor: "matter-ca", action: "ledger.bind-certificates", payload: [
            AuditChain.rowsCount: String(digest.count), AuditChain.rowsDigest: digest.finalize()])
    }
}

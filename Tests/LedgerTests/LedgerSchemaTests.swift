import Foundation
@testable import Ledger
import Testing
import TestSupport

/// The schema is described once (`LedgerSchema`); SQLite reaches it through its migration history, PostgreSQL by
/// rendering it. These tests catch drift: a change to the description without its SQLite migration, or the reverse.
@Suite struct LedgerSchemaTests {
    static func sqlite(_ path: String, _ sql: String) throws -> [[String]] {
        let r = try CLI.exec("sqlite3", ["-separator", "\t", "-nullvalue", "NULL", path, sql])
        #expect(r.status == 0, "\(r.output)")
        return r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func aFreshlyMigratedSQLiteLedgerHasExactlyTheDescribedSchema() throws {
        let l = try SQLiteLedger(path: try CLI.tempDirectory("schema").appendingPathComponent("l.sqlite").path)
        let tables = try Self.sqlite(l.path, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY name")
        #expect(tables.map { $0[0] } == LedgerSchema.tables.map(\.name).sorted())
        for t in LedgerSchema.tables {
            // Columns: name, declared type, NOT NULL, default, primary-key position (in order).
            let info = try Self.sqlite(l.path, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('\(t.name)') ORDER BY cid")
            let sqliteType: [LedgerSchema.ColumnType: String] = [.text: "TEXT", .integer: "INTEGER", .blob: "BLOB", .datetime: "DATETIME"]
            let rowidAlias = t.primaryKey.count == 1 && t.column(t.primaryKey[0])?.type == .integer
            let described = t.columns.map { c in
                // An INTEGER PRIMARY KEY is SQLite's rowid: never NULL, though not declared NOT NULL.
                [c.name, sqliteType[c.type]!, c.notNull && !(rowidAlias && t.primaryKey == [c.name]) ? "1" : "0",
                 c.defaultValue.map { v -> String in if case .text(let s) = v { return "'\(s)'" } else { return v.description } } ?? "NULL",
                 String((t.primaryKey.firstIndex(of: c.name) ?? -1) + 1)]
            }
            #expect(info == described, "\(t.name)")
            // Indexes: the explicit ones by name, the unique constraints and the primary key by their columns.
            var indexes: Set<String> = []
            for idx in try Self.sqlite(l.path, "SELECT name, \"unique\", origin FROM pragma_index_list('\(t.name)')") {
                let cols = try Self.sqlite(l.path, "SELECT name FROM pragma_index_info('\(idx[0])') ORDER BY seqno").map { $0[0] }.joined(separator: ",")
                indexes.insert(idx[2] == "c" ? "\(idx[0]) \(idx[1]) \(cols)" : "\(idx[2]) \(cols)")
            }
            var expected = Set(t.indexes.map { "\($0.name) \($0.unique ? 1 : 0) \($0.columns.joined(separator: ","))" })
            expected.formUnion(t.uniqueColumns.map { "u \($0.name)" })
            if !t.primaryKey.isEmpty && !rowidAlias { expected.insert("pk \(t.primaryKey.joined(separator: ","))") }
            #expect(indexes == expected, "\(t.name)")
            // Foreign keys.
            let fks = Set(try Self.sqlite(l.path, "SELECT \"from\", \"table\", on_delete FROM pragma_foreign_key_list('\(t.name)')").map { $0.joined(separator: " ") })
            let describedFKs = Set(t.columns.compactMap { c in c.references.map { "\(c.name) \($0.table) \($0.onDeleteCascade ? "CASCADE" : "NO ACTION")" } })
            #expect(fks == describedFKs, "\(t.name)")
            // CHECKs, AUTOINCREMENT, append-only triggers.
            let sql = try Self.sqlite(l.path, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '\(t.name)'").map { $0.joined() }.joined()
            for c in t.columns { for v in c.allowed ?? [] { #expect(sql.contains("'\(v)'"), "\(t.name).\(c.name) allows \(v)") } }
            #expect(sql.contains("CHECK") == t.columns.contains { $0.allowed != nil }, "\(t.name)")
            #expect(sql.uppercased().contains("AUTOINCREMENT") == t.autoIncrement, "\(t.name)")
            let triggers = Set(try Self.sqlite(l.path, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '\(t.name)'").map { $0[0] })
            #expect(triggers == (t.appendOnly == nil ? [] : ["\(t.name)_no_update", "\(t.name)_no_delete"]), "\(t.name)")
        }
        #expect(try Self.sqlite(l.path, "SELECT COUNT(*) FROM grdb_migrations") == [["\(LedgerSchema.version)"]])
    }

    @Test func constraintsMeanTheSameOnBothEngines() {
        #expect(LedgerSchema.conflict(sqliteMessage: "UNIQUE constraint failed: certificates.issuerSKID, certificates.serial") == .serialCollision)
        #expect(LedgerSchema.conflict(sqliteMessage: "UNIQUE constraint failed: certificates.batchID, certificates.batchItem") == .batchItemClash)
        #expect(LedgerSchema.conflict(sqliteMessage: "UNIQUE constraint failed: batches.idempotencyKey") == .idempotencyKeyTaken)
        #expect(LedgerSchema.conflict(sqliteMessage: "UNIQUE constraint failed: crls.signerSKID, crls.number") == .crlNumberTaken)
        #expect(LedgerSchema.conflict(sqliteMessage: "UNIQUE constraint failed: certificates.sha256") == nil)
        #expect(LedgerSchema.conflict(constraint: "certificates_pkey") == .serialCollision)
        #expect(LedgerSchema.conflict(constraint: "certificates_batch") == .batchItemClash)
        #expect(LedgerSchema.conflict(constraint: "batches_idempotencyKey_key") == .idempotencyKeyTaken)
        #expect(LedgerSchema.conflict(constraint: "crls_signer_number") == .crlNumberTaken)
        #expect(LedgerSchema.conflict(constraint: "certificates_sha256_key") == nil)
    }

    @Test(arguments: Engine.postgresOnly) func theRenderedPostgreSQLSchemaIsTheDescribedOne(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger() as! PostgresLedger
        let columns = try l.rawRows("""
            SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> 'schema_migrations' AND column_name <> 'rowid' ORDER BY table_name, ordinal_position
            """).map { $0.map { $0 ?? "" } }
        let pgType: [LedgerSchema.ColumnType: String] = [.text: "text", .integer: "bigint", .blob: "bytea", .datetime: "text"]
        let described = LedgerSchema.tables.sorted { $0.name < $1.name }.flatMap { t in
            t.columns.map { [t.name, $0.name, pgType[$0.type]!, $0.notNull || t.primaryKey.contains($0.name) ? "NO" : "YES"] }
        }
        #expect(columns == described)
        let constraints = Set(try l.rawRows("SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'f')").compactMap { $0[0] })
        for t in LedgerSchema.tables {
            if !t.primaryKey.isEmpty { #expect(constraints.contains(LedgerSchema.primaryKeyName(t.name))) }
            for c in t.uniqueColumns { #expect(constraints.contains(LedgerSchema.uniqueName(t.name, c.name))) }
        }
        let indexes = Set(try l.rawRows("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'").compactMap { $0[0] })
        #expect(Set(LedgerSchema.tables.flatMap { $0.indexes.map(\.name) }).isSubset(of: indexes))
        #expect(try l.rawRows("SELECT version FROM schema_migrations") == [["\(LedgerSchema.version)"]])
        // Opening it again (a second server) migrates nothing.
        _ = try f.another(l)
        #expect(try l.rawRows("SELECT COUNT(*) FROM schema_migrations") == [["1"]])
    }
}

import Foundation

/// The ledger's schema, described once for every engine: tables in dependency order, columns with neutral types,
/// keys, unique constraints, indexes, foreign keys, and which tables are append-only.
///
/// - SQLite keeps its GRDB migration history (v1…v6, so existing homes still open); `LedgerSchemaTests` asserts that
///   a freshly migrated SQLite ledger has exactly this schema, so a change is one edit here plus one SQLite migration.
/// - PostgreSQL renders it (`postgresDDL`): every statement idempotent (IF NOT EXISTS, ADD COLUMN IF NOT EXISTS, OR
///   REPLACE), applied under an advisory lock whenever `version` is newer than the database's `schema_migrations`.
/// - `exportRows`/`importRows` copy `tables` in this order, every described column verbatim.
/// - The typed errors of the unique constraints (`Conflict`) are read from here by both engines.
enum LedgerSchema {
    /// The SQLite migration count this description matches.
    static let version = 6

    enum ColumnType: String, Sendable {
        case text, integer, blob
        /// A time in `LedgerTime.storage`'s text form (the audit chain hashes that text).
        case datetime
    }

    /// What a unique constraint's violation means to a caller.
    enum Conflict: Sendable { case serialCollision, batchItemClash, idempotencyKeyTaken, crlNumberTaken }

    struct Reference: Sendable {
        var table: String
        var column: String
        var onDeleteCascade = false
    }

    struct Column: Sendable {
        var name: String
        var type: ColumnType
        var notNull = false
        var defaultValue: LedgerValue? = nil
        /// CHECK (column IN (…)).
        var allowed: [String]? = nil
        var unique = false
        /// The unique constraint's violation, when it has a meaning of its own.
        var conflict: Conflict? = nil
        var references: Reference? = nil
    }

    struct Index: Sendable {
        var name: String
        var columns: [String]
        var unique = false
        var conflict: Conflict? = nil
    }

    struct Table: Sendable {
        var name: String
        var columns: [Column]
        var primaryKey: [String]
        /// The primary key's violation, when it has a meaning of its own.
        var primaryKeyConflict: Conflict? = nil
        /// An integer primary key the engine numbers (SQLite AUTOINCREMENT, PostgreSQL identity).
        var autoIncrement = false
        var indexes: [Index] = []
        /// No UPDATE or DELETE (nor TRUNCATE), refused with this message.
        var appendOnly: String? = nil
        /// Rows are listed in the order they were recorded (SQLite's rowid; a PostgreSQL identity column "rowid").
        var recordingOrder = false

        func column(_ name: String) -> Column? { columns.first { $0.name == name } }
        var columnNames: [String] { columns.map(\.name) }
        var uniqueColumns: [Column] { columns.filter(\.unique) }
    }

    static func table(_ name: String) -> Table? { tables.first { $0.name == name } }

    private static func text(_ n: String, notNull: Bool = true) -> Column { Column(name: n, type: .text, notNull: notNull) }
    private static func int(_ n: String, notNull: Bool = true) -> Column { Column(name: n, type: .integer, notNull: notNull) }
    private static func time(_ n: String, notNull: Bool = true) -> Column { Column(name: n, type: .datetime, notNull: notNull) }

    static let tables: [Table] = [
        Table(name: "authorities", columns: [
            text("skid"), Column(name: "type", type: .text, notNull: true, allowed: ["paa", "pai", "crl-signer"]), text("name"),
            text("tokenLabel"), text("keyLabel"), text("serial"),
            Column(name: "parentSKID", type: .text, references: Reference(table: "authorities", column: "skid")),
            int("vid", notNull: false), int("pid", notNull: false), text("certificateSHA256"), time("createdAt"),
        ], primaryKey: ["skid"]),
        Table(name: "certificates", columns: [
            text("issuerSKID"), text("serial"), text("type"), text("subject"), text("skid"), int("vid", notNull: false), int("pid", notNull: false),
            time("notBefore"), time("notAfter"), Column(name: "der", type: .blob, notNull: true),
            Column(name: "sha256", type: .text, notNull: true, unique: true),
            Column(name: "status", type: .text, notNull: true, defaultValue: .text("issued")),
            text("batchID", notNull: false), time("createdAt"), int("batchItem", notNull: false), int("auditSeq", notNull: false),
            text("rowHash", notNull: false),
        ], primaryKey: ["issuerSKID", "serial"], primaryKeyConflict: .serialCollision, indexes: [
            Index(name: "certificates_skid", columns: ["skid"]),
            Index(name: "certificates_batch", columns: ["batchID", "batchItem"], unique: true, conflict: .batchItemClash),
            Index(name: "certificates_serial", columns: ["serial"]),
        ], recordingOrder: true),
        Table(name: "ceremonies", columns: [
            text("id"), text("kind"), text("actor"), text("status"), time("startedAt"), time("completedAt", notNull: false),
            text("keySKID", notNull: false), text("certificateSHA256", notNull: false), text("detail", notNull: false),
        ], primaryKey: ["id"]),
        Table(name: "audit_log", columns: [
            int("seq"), text("at"), text("actor"), text("action"), text("payload"), text("payloadSHA256"), text("prevHash"), text("hash"),
            Column(name: "format", type: .integer, notNull: true, defaultValue: .integer(1)),
        ], primaryKey: ["seq"], appendOnly: "audit_log is append-only"),
        Table(name: "vendors", columns: [
            int("vid"), text("name"), text("contact", notNull: false), text("source"), text("definitionSHA256"), time("updatedAt"),
        ], primaryKey: ["vid"]),
        Table(name: "vendor_products", columns: [
            Column(name: "vid", type: .integer, notNull: true, references: Reference(table: "vendors", column: "vid", onDeleteCascade: true)),
            int("first"), int("last"),
        ], primaryKey: []),
        Table(name: "vendor_pais", columns: [
            Column(name: "vid", type: .integer, notNull: true, references: Reference(table: "vendors", column: "vid", onDeleteCascade: true)),
            Column(name: "paiSKID", type: .text, notNull: true, references: Reference(table: "authorities", column: "skid")),
        ], primaryKey: ["vid", "paiSKID"]),
        Table(name: "batches", columns: [
            text("id"), Column(name: "idempotencyKey", type: .text, notNull: true, unique: true, conflict: .idempotencyKeyTaken), int("vid"), int("pid"),
            text("paiSKID"), text("kind"), int("count"), text("requestSHA256"), text("status"), time("createdAt"),
            time("completedAt", notNull: false), text("outputPath", notNull: false), text("leaseOwner", notNull: false),
            text("leaseUntil", notNull: false),
        ], primaryKey: ["id"]),
        Table(name: "audit_checkpoints", columns: [
            int("seq"), text("hash"), text("at"), text("keyID"), Column(name: "signature", type: .blob, notNull: true),
        ], primaryKey: ["seq"], appendOnly: "audit_checkpoints is append-only"),
        Table(name: "credentials", columns: [
            text("id"), text("kind"), text("role"), int("vid", notNull: false), text("label"),
            Column(name: "secretSHA256", type: .text, notNull: true, unique: true), text("createdAt"), text("revokedAt", notNull: false),
        ], primaryKey: ["id"]),
        Table(name: "revocations", columns: [
            text("issuerSKID"), text("serial"), text("reason"), text("revokedAt"), text("actor"), int("auditSeq"), text("rowHash"),
        ], primaryKey: ["issuerSKID", "serial"], appendOnly: "revocations are append-only"),
        Table(name: "crls", columns: [
            int("id"), text("publication"), text("caSKID"), text("signerSKID"), int("partition", notNull: false), int("number"),
            text("thisUpdate"), text("nextUpdate"), int("entries"), int("size"), text("sha256"), text("url"), text("file"), int("auditSeq"),
        ], primaryKey: ["id"], autoIncrement: true, indexes: [
            Index(name: "crls_signer_number", columns: ["signerSKID", "number"], unique: true, conflict: .crlNumberTaken),
        ], appendOnly: "crls are append-only"),
    ]

    /// Tables whose rows `counts()` reports.
    static let countedTables = ["authorities", "certificates", "ceremonies", "audit_log", "vendors", "batches", "audit_checkpoints", "credentials",
                                "revocations", "crls"]

    // MARK: constraint names and their meaning

    /// PostgreSQL's name of a table's primary key.
    static func primaryKeyName(_ table: String) -> String { "\(table)_pkey" }
    /// PostgreSQL's name of a column's unique constraint.
    static func uniqueName(_ table: String, _ column: String) -> String { "\(table)_\(column)_key" }

    /// The meaning of a violated constraint, by its PostgreSQL name.
    static func conflict(constraint name: String) -> Conflict? {
        for t in tables {
            if name == primaryKeyName(t.name) { return t.primaryKeyConflict }
            for c in t.uniqueColumns where name == uniqueName(t.name, c.name) { return c.conflict }
            for i in t.indexes where i.name == name { return i.conflict }
        }
        return nil
    }

    /// The meaning of a violated unique constraint, by SQLite's message ("UNIQUE constraint failed: t.a, t.b").
    static func conflict(sqliteMessage m: String) -> Conflict? {
        guard let r = m.range(of: "constraint failed: ") else { return nil }
        let cols = m[r.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let table = cols.first?.split(separator: ".").first.map(String.init), let t = Self.table(table) else { return nil }
        let names = cols.map { String($0.dropFirst(table.count + 1)) }
        if names == t.primaryKey { return t.primaryKeyConflict }
        if names.count == 1, let c = t.column(names[0]), c.unique { return c.conflict }
        return t.indexes.first { $0.unique && $0.columns == names }?.conflict
    }
}

extension LedgerError {
    init(_ conflict: LedgerSchema.Conflict) {
        switch conflict {
        case .serialCollision: self = .serialCollision
        case .batchItemClash: self = .batchItemClash(batchID: "?")
        case .idempotencyKeyTaken: self = .idempotencyKeyTaken("?")
        case .crlNumberTaken: self = .crlNumberTaken
        }
    }
}

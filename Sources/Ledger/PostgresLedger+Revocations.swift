import Foundation

extension PostgresLedger {
    public func forEachRevocation(issuerSKID: String, _ body: (RevocationRecord) throws -> Void) throws {
        try read { s in
            try s.stream("SELECT * FROM revocations WHERE \"issuerSKID\" = $1 ORDER BY serial", [.text(issuerSKID)]) { row in
                try body(RevocationRecord(row: row)); return true
            }
        }
    }

    public func revocation(issuerSKID: String, serial: String) throws -> RevocationRecord? {
        try read { s in
            try s.one(#"SELECT * FROM revocations WHERE "issuerSKID" = $1 AND serial = $2"#, [.text(issuerSKID), .text(serial)]).map(RevocationRecord.init(row:))
        }
    }

    public func serials(issuedBy issuerSKID: String) throws -> [String] {
        try read { s in try s.query(#"SELECT serial FROM certificates WHERE "issuerSKID" = $1 ORDER BY serial"#, [.text(issuerSKID)]).map { $0.text("serial") } }
    }
}

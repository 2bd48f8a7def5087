import Foundation
import Testing

/// A PAA run by someone else, for `pai csr` / `pai import`: `openssl ca` signing with the SDK's test PAA NoVID key
/// (from ../shared, whose certificate the SDK's own verifier trusts).
public enum ExternalPAA {
    public static let noVIDSKID = "785CE705B86B8F4E6FC793AA60CB43EA696882D5"
    public static let paiExtensions = ["basicConstraints = critical,CA:TRUE,pathlen:0", "keyUsage = critical,keyCertSign,cRLSign",
                                       "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid:always"]

    /// The PAA operator: `openssl ca` with its own database. PAIs are backdated a day and do not expire: the DAC
    /// template backdates an hour and gives no expiry, and a DAC's validity must fall within its PAI's.
    public struct Operator: Sendable {
        public let dir: URL
        public init() throws {
            dir = try CLI.tempDirectory("paa-operator")
            try Data().write(to: dir.appendingPathComponent("index.txt"))
            let conf = """
                oid_section = matter_oids
                [matter_oids]
                matterVID = 1.3.6.1.4.1.37244.2.1
                matterPID = 1.3.6.1.4.1.37244.2.2
                [ca]
                default_ca = op
                [op]
                database = \(dir.path)/index.txt
                new_certs_dir = \(dir.path)
                serial = \(dir.path)/serial
                default_md = sha256
                policy = any
                unique_subject = no
                email_in_dn = no
                [any]
                commonName = supplied
                matterVID = optional
                matterPID = optional
                """
            try Data(conf.utf8).write(to: dir.appendingPathComponent("ca.cnf"))
        }

        /// Signs `csr` as a PAI with `extensions`; `subject` replaces the request's subject.
        public func sign(_ csr: URL, paa: URL, key: URL, extensions: [String] = ExternalPAA.paiExtensions, subject: String? = nil) throws -> URL {
            let name = UUID().uuidString
            let serial = "4" + (0..<31).map { _ in String("0123456789ABCDEF".randomElement()!) }.joined()
            try Data((serial + "\n").utf8).write(to: dir.appendingPathComponent("serial"))
            let ext = dir.appendingPathComponent("\(name).ext")
            try Data(("[pai]\n" + extensions.joined(separator: "\n") + "\n").utf8).write(to: ext)
            let out = dir.appendingPathComponent("\(name).pem")
            let start = Self.time(Date().addingTimeInterval(-86400)), end = "99991231235959Z"
            let r = try CLI.exec("openssl", ["ca", "-batch", "-config", dir.appendingPathComponent("ca.cnf").path, "-cert", paa.path, "-keyfile", key.path,
                                             "-in", csr.path, "-out", out.path, "-startdate", start, "-enddate", end, "-extfile", ext.path,
                                             "-extensions", "pai", "-preserveDN", "-notext", "-md", "sha256"] + (subject.map { ["-subj", $0] } ?? []))
            guard r.status == 0 else { throw TestHome.Failure(description: "openssl ca: \(r.output)") }
            return out
        }

        static func time(_ d: Date) -> String {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "UTC"); f.dateFormat = "yyyyMMddHHmmss'Z'"
            return f.string(from: d)
        }

        /// A self-signed PAA of the operator's own (openssl), with `extensions`.
        public func makePAA(_ cn: String, extensions: [String]) throws -> (cert: URL, key: URL) {
            let key = dir.appendingPathComponent("\(cn)-\(UUID().uuidString).key"), cert = dir.appendingPathComponent("\(cn)-\(UUID().uuidString).pem")
            #expect(try CLI.exec("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.path]).status == 0)
            let r = try CLI.exec("openssl", ["req", "-x509", "-new", "-key", key.path, "-subj", "/CN=\(cn)", "-days", "3650", "-set_serial", "0x1234",
                                             "-nodes"] + extensions.flatMap { ["-addext", $0.replacingOccurrences(of: " = ", with: "=")] } + ["-out", cert.path])
            guard r.status == 0 else { throw TestHome.Failure(description: "openssl req -x509: \(r.output)") }
            return (cert, key)
        }
    }

    /// `pai csr` through the CLI; the request file and the command's JSON.
    public static func request(_ h: TestHome, cn: String, vid: String = "FFF1", pid: String? = nil) throws -> (csr: URL, json: [String: Any]) {
        let csr = h.root.appendingPathComponent("\(UUID().uuidString).csr")
        let j = try h.json(["pai", "csr", "--vid", vid, "--cn", cn, "--out", csr.path] + (pid.map { ["--pid", $0] } ?? [])) as! [String: Any]
        return (csr, j)
    }

    /// `TestHome.ledgerState()` and the signed checkpoints and vendors besides: everything a refusal must leave as it was.
    public static func ledgerState(_ h: TestHome) throws -> String {
        let extra = try CLI.exec("sqlite3", [h.root.appendingPathComponent("ledger.sqlite").path,
                                             "SELECT (SELECT COUNT(*) FROM audit_checkpoints), (SELECT COUNT(*) FROM vendors), (SELECT COUNT(*) FROM batches);"]).stdout
        return try h.ledgerState() + extra
    }

    /// SoftHSM2 keeps each token object in a file: names and bytes of all of them, to show the token did not change
    /// (token.object, the token's own record, changes at every login).
    public static func tokenState(_ h: TestHome) throws -> [String: Data] { try h.tokenObjects() }

    /// A home with "Ext PAI" (VID FFF1) imported under the SDK's PAA NoVID, its SKID chosen by the PAA operator
    /// (not the key's hash), and a vendor FFF1 (PID 8000) served by it.
    public static func importedHome() throws -> (home: TestHome, pai: String, op: Operator) {
        let h = try TestHome()
        let op = try Operator()
        let (csr, req) = try request(h, cn: "Ext PAI")
        let chosenSKID = (0..<20).map { _ in String(format: "%02X", UInt8.random(in: 0...255)) }.joined()
        #expect(chosenSKID != req["keyID"] as? String)
        let cert = try op.sign(csr, paa: SDKTrustFixtures.paaNoVIDCert, key: SDKTrustFixtures.paaNoVIDKey,
                               extensions: paiExtensions.map { $0.hasPrefix("subjectKeyIdentifier") ? "subjectKeyIdentifier = \(chosenSKID)" : $0 })
        let j = try h.json(["pai", "import", cert.path, "--paa-cert", SDKTrustFixtures.paaNoVIDCert.path]) as! [String: Any]
        #expect(j["skid"] as? String == chosenSKID && j["paa"] as? String == noVIDSKID)
        #expect(j["paaImported"] as? Bool == true && j["keyIDChanged"] as? Bool == true && j["name"] as? String == "Ext PAI")
        let registry = try CLI.tempDirectory("registry")
        try Data("vid: FFF1\nname: External chain vendor\nproducts: [\"8000\"]\npais: [\"Ext PAI\"]\n".utf8).write(to: registry.appendingPathComponent("fff1.yaml"))
        let r = try h.run(["vendor", "import", registry.path])
        #expect(r.status == 0, "\(r.output)")
        return (h, chosenSKID, op)
    }
}

import Authority
import Foundation
import MatterPKI
import Testing
import TestSupport

/// The root of trust run from the CLI as an operator would, against a real SoftHSM2 token.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct CeremonyCLITests {
    @Test func initPAAAndPAIVerifyWithOpenSSLAndLint() throws {
        let home = try TestHome()
        let (paa, pai) = try home.ceremonies()
        let dir = home.root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        #expect(try home.run(["export", paa, "--format", "pem", "--out", dir.appendingPathComponent("paa.pem").path]).status == 0)
        #expect(try home.run(["export", pai, "--format", "der", "--out", dir.appendingPathComponent("pai.der").path]).status == 0)
        let pem = try home.run(["export", pai])
        #expect(pem.stdout.hasPrefix("-----BEGIN CERTIFICATE-----"))
        try Data(pem.stdout.utf8).write(to: dir.appendingPathComponent("pai.pem"))
        let v = try CLI.exec("openssl", ["verify", "-x509_strict", "-CAfile", "paa.pem", "pai.pem"], cwd: dir)
        #expect(v.status == 0 && v.stdout.contains("pai.pem: OK"), "\(v.output)")
        #expect(try CLI.run(["lint", dir.appendingPathComponent("paa.pem").path, "--as", "paa", "--strict"]).status == 0)
        let lint = try CLI.run(["lint", dir.appendingPathComponent("pai.der").path, "--as", "pai", "--issuer", dir.appendingPathComponent("paa.pem").path, "--strict"])
        #expect(lint.status == 0, "\(lint.output)")

        let list = try home.json(["list"]) as! [[String: String]]
        #expect(list.map { $0["type"] } == ["paa", "pai"])
        // ISO 8601 everywhere; no expiry reads as the RFC 5280 date, not "<description unavailable>".
        #expect(list.allSatisfy { $0["notAfter"] == "9999-12-31T23:59:59Z" && $0["notBefore"]!.hasSuffix("Z") && $0["notBefore"]!.contains("T") }, "\(list)")
        let show = try home.run(["show", pai])
        #expect(show.status == 0 && show.stdout.contains("CN=Test PAI, VID=FFF1"))
        // Transcripts name the key and its attributes.
        let transcripts = try FileManager.default.contentsOfDirectory(atPath: home.root.appendingPathComponent("ceremonies").path)
        #expect(transcripts.count == 2)
        for name in transcripts {
            let t = try JSONDecoder().decode(CeremonyTranscript.self, from: Data(contentsOf: home.root.appendingPathComponent("ceremonies").appendingPathComponent(name)))
            #expect(t.body.steps.map(\.key.attributes) == [["CKA_SENSITIVE": true, "CKA_EXTRACTABLE": false]])
            // Signed by the PAA: the new one, or the one that signed the PAI.
            #expect(t.signatures.map(\.role) == ["paa"] && t.signatures[0].keySKID == paa)
        }
        #expect(try home.run(["audit", "verify"]).stdout.contains("audit log intact: 5 entries"))
    }

    @Test func vidScopedPAARefusesAnotherVendorAndChangesNothing() throws {
        let home = try TestHome()
        let (paa, _) = try home.ceremonies(paaVID: "FFF1")
        let before = try home.ledgerState()
        let r = try home.run(["pai", "issue", "--paa", paa, "--vid", "FFF2", "--cn", "Wrong vendor"])
        #expect(r.status == 1 && r.stderr.contains("scoped to VID FFF1"), "\(r.output)")
        #expect(try home.ledgerState() == before)
    }

    @Test func caPrivateKeysAreSensitiveAndNeverExtractable() throws {
        let home = try TestHome()
        _ = try home.ceremonies()
        let listing = try home.listPrivateKeysWithOpenSC()
        let access = listing.split(separator: "\n").filter { $0.contains("Access:") }
        #expect(access.count == 3, "PAA, PAI and the audit checkpoint key: \(listing)")
        for line in access { #expect(line.contains("sensitive, always sensitive, never extractable"), "\(line)") }
        #expect(listing.split(separator: "\n").filter { $0.contains("Usage:") }.allSatisfy { $0.hasSuffix("sign") }, "CA keys only sign")
    }

    @Test func noPINAppearsInOutputLogsOrFiles() throws {
        let home = try TestHome()
        var output = ""
        let (paa, pai) = try home.ceremonies()
        for args in [["list"], ["show", pai], ["audit", "verify"], ["paa", "create", "--cn", "Second"], ["export", paa]] {
            output += try home.run(args).output
        }
        output += try home.run(["paa", "create", "--cn", "X"], pin: "wrong-" + home.pin).output
        #expect(!output.contains(home.pin) && !output.contains(home.soPIN))
        let grep = try CLI.exec("grep", ["-rl", "-e", home.pin, "-e", home.soPIN, home.path])
        #expect(grep.stdout.isEmpty, "PIN found in \(grep.stdout)")
    }

    @Test func secondInitRefusesAndKeepsTheHome() throws {
        let home = try TestHome()
        _ = try home.ceremonies()
        let ledger = home.root.appendingPathComponent("ledger.sqlite")
        let before = try Data(contentsOf: ledger)
        let r = try home.run(["init"])
        #expect(r.status == 1 && r.stderr.contains("already holds an authority; refusing to overwrite it"))
        #expect(try Data(contentsOf: ledger) == before)
        #expect(try home.run(["audit", "verify"]).status == 0)
    }

    @Test func operatorErrorsArePreciseAndChangeNothing() throws {
        let home = try TestHome()
        let (paa, _) = try home.ceremonies()
        let before = try home.ledgerState()
        let wrongPIN = try home.run(["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "X"], pin: "not-the-pin")
        #expect(wrongPIN.status == 1 && wrongPIN.stderr.contains("the token refused the PIN (CKR_PIN_INCORRECT)"), "\(wrongPIN.output)")
        let noModule = try home.run(["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "X", "--pkcs11-module", "/nonexistent/libpkcs11.so"])
        #expect(noModule.status == 1 && noModule.stderr.contains("cannot load PKCS#11 module /nonexistent/libpkcs11.so"), "\(noModule.output)")
        let unknown = try home.run(["pai", "issue", "--paa", "0123456789ABCDEF0123456789ABCDEF01234567", "--vid", "FFF1", "--cn", "X"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no PAA with SKID or name \"0123456789ABCDEF0123456789ABCDEF01234567\""), "\(unknown.output)")
        #expect(try home.ledgerState() == before)

        // A home whose token is gone (its token store emptied): the token is not there / not initialised.
        let tokens = home.root.appendingPathComponent("tokens")
        for t in try FileManager.default.contentsOfDirectory(atPath: tokens.path) { try FileManager.default.removeItem(at: tokens.appendingPathComponent(t)) }
        let noToken = try home.run(["pai", "issue", "--paa", paa, "--vid", "FFF1", "--cn", "X"])
        #expect(noToken.status == 1 && noToken.stderr.contains("no PKCS#11 token labelled \"matter-ca\""), "\(noToken.output)")
        #expect(try home.ledgerState() == before)

        let notAHome = try TestHome(initialise: false)
        let r = try notAHome.run(["paa", "create", "--cn", "X"])
        #expect(r.status == 1 && r.stderr.contains("holds no authority (run matter-ca init)"))
    }

    @Test func tamperedAuditEntryIsCaught() throws {
        let home = try TestHome()
        _ = try home.ceremonies()
        #expect(try home.run(["audit", "verify"]).status == 0)
        let db = home.root.appendingPathComponent("ledger.sqlite").path
        // The triggers refuse the edit; an attacker with the file drops them first. The hash chain still tells.
        let refused = try CLI.exec("sqlite3", [db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;"])
        #expect(refused.status != 0 && refused.output.contains("append-only"))
        let edit = try CLI.exec("sqlite3", [db, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;"])
        #expect(edit.status == 0, "\(edit.output)")
        let r = try home.run(["audit", "verify"])
        #expect(r.status == 1 && r.stderr.contains("audit log broken: entry 2: hash does not match the entry's fields"), "\(r.output)")
    }
}

@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct InitFailureTests {
    /// A failed init removes what it made and nothing else: the home may be a directory the operator already uses.
    @Test func failedInitLeavesTheOperatorsFilesAlone() throws {
        let dir = try CLI.tempDirectory("init-fail")
        try Data("keep me".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        let r = try CLI.run(["init", "--home", dir.path, "--pkcs11-module", "/nonexistent/libpkcs11.so"],
                            environment: ["MATTER_CA_PIN": "1234", "MATTER_CA_SO_PIN": "5678"])
        #expect(r.status == 1 && r.stderr.contains("cannot load PKCS#11 module /nonexistent/libpkcs11.so"), "\(r.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["notes.txt"])
        let fresh = dir.appendingPathComponent("new-home")
        let r2 = try CLI.run(["init", "--home", fresh.path, "--pkcs11-module", "/nonexistent/libpkcs11.so"],
                             environment: ["MATTER_CA_PIN": "1234", "MATTER_CA_SO_PIN": "5678"])
        #expect(r2.status == 1 && !FileManager.default.fileExists(atPath: fresh.path))
    }
}

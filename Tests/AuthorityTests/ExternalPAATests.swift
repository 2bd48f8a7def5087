import Foundation
import MatterPKI
import Testing
import TestSupport

/// A PAI under a PAA this authority does not run: `pai csr` makes the key in the token and the request, an outside
/// PAA operator (openssl ca with the SDK's test PAA NoVID key) signs it, `pai import` accepts it only when everything
/// matches, and DACs batched under it are accepted by the SDK's own DefaultDACVerifier.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct ExternalPAATests {
    static let noVIDSKID = ExternalPAA.noVIDSKID
    static let paiExtensions = ExternalPAA.paiExtensions
    static func request(_ h: TestHome, cn: String, vid: String = "FFF1", pid: String? = nil) throws -> (csr: URL, json: [String: Any]) {
        try ExternalPAA.request(h, cn: cn, vid: vid, pid: pid)
    }
    static func tokenState(_ h: TestHome) throws -> [String: Data] { try ExternalPAA.tokenState(h) }
    static func importedHome() throws -> (home: TestHome, pai: String, op: ExternalPAA.Operator) { try ExternalPAA.importedHome() }

    @Test(.enabled(if: SharedVectors.available, SharedVectors.skipReason))
    func csrIsSignedByTheTokenKeyAndImportedPAIIssuesDACsTheSDKAccepts() throws {
        try #require(SDKJudge.installed, Comment(rawValue: SDKJudge.notInstalled))
        // The request itself: openssl verifies its signature and reads the Matter VID attribute from its subject.
        let h0 = try TestHome()
        let (csr, req) = try Self.request(h0, cn: "Checked PAI", pid: "8000")
        let v = try CLI.exec("openssl", ["req", "-verify", "-noout", "-in", csr.path])
        #expect(v.status == 0 && v.output.contains("verify OK"), "\(v.output)")
        let subject = try CLI.exec("openssl", ["req", "-noout", "-subject", "-nameopt", "oid,sep_comma_plus", "-in", csr.path]).stdout
        #expect(subject.contains("2.5.4.3=Checked PAI") && subject.contains("1.3.6.1.4.1.37244.2.1=FFF1") && subject.contains("1.3.6.1.4.1.37244.2.2=8000"), "\(subject)")
        #expect((req["keyLabel"] as? String)?.hasSuffix("(request \(req["request"] as! String))") == true)
        let state = try ExternalPAA.ledgerState(h0), token = try Self.tokenState(h0)
        let again = try h0.run(["pai", "csr", "--vid", "FFF1", "--cn", "Checked PAI", "--out", csr.path])
        #expect(again.status == 1 && again.stderr.contains("exists; refusing to overwrite it"), "\(again.output)")
        #expect(try ExternalPAA.ledgerState(h0) == state && Self.tokenState(h0) == token)

        let (h, pai, _) = try Self.importedHome()
        let out = h.root.appendingPathComponent("dacs")
        let b = try h.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "Ext PAI", "--count", "3", "--out", out.path])
        #expect(b.status == 0, "\(b.output)")
        let items = try DACBatchTests.manifest(out)
        #expect(items.count == 3)
        #expect(try CertificateFile.read(path: out.appendingPathComponent("paa.pem").path).der == CertificateFile.read(path: SDKTrustFixtures.paaNoVIDCert.path).der)

        // Attestations as a device would answer, CD signed by the SDK's test CD key; the SDK's verifier judges them.
        let lab = try CLI.tempDirectory("external-lab")
        let cd = lab.appendingPathComponent("cd.der").path
        let c = try CLI.run(["dev", "cd", "--vid", "FFF1", "--pid", "8000", "--signing-key", SDKTrustFixtures.testCDKey.path,
                             "--signing-cert", SDKTrustFixtures.testCDCert.path, "--out", cd])
        #expect(c.status == 0, "\(c.output)")
        let nonce = String(repeating: "A5", count: 32), challenge = String(repeating: "3C", count: 16)
        let paiDER = try CertificateFile.read(path: out.appendingPathComponent("pai.pem").path).der
        #expect(try CertificateFile.read(path: out.appendingPathComponent("pai.pem").path).subjectKeyIdentifier?.hexString == pai)
        var cases: [SDKJudge.AttestationCase] = []
        for item in items {
            let att = lab.appendingPathComponent("att-\(item["serial"] as! String)")
            let a = try CLI.run(["dev", "attest", "--dac-key", out.appendingPathComponent(item["key"] as! String).path, "--cd", cd, "--nonce", nonce,
                                 "--challenge", challenge, "--out", att.path])
            #expect(a.status == 0, "\(a.output)")
            cases.append(SDKJudge.AttestationCase(elements: Array(try Data(contentsOf: att.appendingPathComponent("elements.tlv"))), challenge: [UInt8](hex: challenge)!,
                                                  signature: Array(try Data(contentsOf: att.appendingPathComponent("signature.bin"))), pai: paiDER,
                                                  dac: try CertificateFile.read(path: out.appendingPathComponent(item["certificate"] as! String).path).der,
                                                  nonce: [UInt8](hex: nonce)!, vid: 0xFFF1, pid: 0x8000))
        }
        let verdicts = try SDKJudge.judgeAttestations(cases)
        #expect(verdicts.count == 3 && verdicts.allSatisfy { $0.code == 0 && !$0.crashed }, "SDK DefaultDACVerifier: \(verdicts.map { "\($0.code.map(String.init) ?? "none")" })")

        // Revocation works under the external chain: a DAC revoked, CRLs published for this authority's CAs only.
        #expect(try h.run(["revoke", items[0]["serial"] as! String]).status == 0)
        let crl = try h.run(["crl", "publish", "--json"])
        #expect(crl.status == 0, "\(crl.output)")
        #expect(crl.stdout.contains(pai) && !crl.stdout.contains(Self.noVIDSKID), "no CRL for the external PAA: \(crl.stdout)")
        let doctor = try h.run(["doctor"])
        #expect(doctor.output.contains("external (SKID \(Self.noVIDSKID))") && doctor.output.contains("CKA_ID \(pai) is on the token and matches"), "\(doctor.output)")
    }

    @Test(.enabled(if: SharedVectors.available, SharedVectors.skipReason))
    func externalPAASignsNothingHereAndIsFoundByTheNextImport() throws {
        let (h, _, op) = try Self.importedHome()
        let state = try ExternalPAA.ledgerState(h), token = try Self.tokenState(h)
        let r = try h.run(["pai", "issue", "--paa", Self.noVIDSKID, "--vid", "FFF1", "--cn", "Local PAI"])
        #expect(r.status == 1 && r.stderr.contains("PAA \(Self.noVIDSKID)") && r.stderr.contains("is external: its key is not held by this authority"), "\(r.output)")
        // The imported PAI itself is revoked on the external PAA's CRL, by its operator: refused here, nothing recorded.
        let pais = try h.json(["list", "pai"]) as! [[String: String]]
        let revokePAI = try h.run(["revoke", "--pai", pais[0]["skid"]!])
        #expect(revokePAI.status == 1 && revokePAI.stderr.contains("only that PAA's operator can revoke it"), "\(revokePAI.output)")
        let s = try h.run(["crl", "signer", "create", "--ca", Self.noVIDSKID, "--cn", "Signer"])
        #expect(s.status != 0 && s.stderr.contains("is external"), "\(s.output)")
        #expect(try ExternalPAA.ledgerState(h) == state && Self.tokenState(h) == token)

        // A second PAI under the same PAA: the ledger already holds it, so no --paa-cert; SKID by hash, CKA_ID unchanged.
        let (csr, req) = try Self.request(h, cn: "Second PAI", vid: "FFF1", pid: "8000")
        let cert = try op.sign(csr, paa: SDKTrustFixtures.paaNoVIDCert, key: SDKTrustFixtures.paaNoVIDKey)
        let j = try h.json(["pai", "import", cert.path]) as! [String: Any]
        #expect(j["paaImported"] as? Bool == false && j["keyIDChanged"] as? Bool == false && j["skid"] as? String == req["keyID"] as? String)
        // Imported once: the same certificate again is refused.
        let again = try h.run(["pai", "import", cert.path])
        #expect(again.status == 1 && again.stderr.contains("pai import refused (duplicate)"), "\(again.output)")
    }

    @Test(.enabled(if: SharedVectors.available, SharedVectors.skipReason))
    func everyMismatchIsRefusedPreciselyAndChangesNothing() throws {
        let h = try TestHome()
        let op = try ExternalPAA.Operator()
        let (csr, _) = try Self.request(h, cn: "Scoped PAI", pid: "8000")
        let paa = SDKTrustFixtures.paaNoVIDCert, paaKey = SDKTrustFixtures.paaNoVIDKey
        let vidOID = "1.3.6.1.4.1.37244.2.1", pidOID = "1.3.6.1.4.1.37244.2.2"

        let otherKeyCSR = op.dir.appendingPathComponent("other.csr")
        #expect(try CLI.exec("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                                         op.dir.appendingPathComponent("other.key").path, "-subj", "/CN=Scoped PAI/\(vidOID)=FFF1/\(pidOID)=8000",
                                         "-out", otherKeyCSR.path]).status == 0)
        let imposter = try op.makePAA("Matter Test PAA", extensions: ["basicConstraints = critical,CA:TRUE,pathlen:1", "keyUsage = critical,keyCertSign,cRLSign",
                                                                      "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid:always"])
        let badPAA = try op.makePAA("Bad PAA", extensions: ["basicConstraints = critical,CA:TRUE,pathlen:1", "keyUsage = critical,digitalSignature",
                                                            "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid:always"])
        func without(_ prefix: String, _ replacement: String? = nil) -> [String] {
            Self.paiExtensions.compactMap { $0.hasPrefix(prefix) ? replacement : $0 }
        }
        let cases: [(String, URL, URL?, String)] = [
            ("a certificate for another key", try op.sign(otherKeyCSR, paa: paa, key: paaKey), paa,
             "(key): the certificate's public key"),
            ("a wrong VID", try op.sign(csr, paa: paa, key: paaKey, subject: "/CN=Scoped PAI/matterVID=FFF2/matterPID=8000"), paa,
             "(VID): the certificate carries VID FFF2"),
            ("a wrong PID", try op.sign(csr, paa: paa, key: paaKey, subject: "/CN=Scoped PAI/matterVID=FFF1/matterPID=8001"), paa,
             "(PID): the certificate carries PID 8001"),
            ("keyUsage without keyCertSign", try op.sign(csr, paa: paa, key: paaKey, extensions: without("keyUsage", "keyUsage = critical,cRLSign")), paa,
             "(profile): PAI: "),
            ("basicConstraints without pathlen", try op.sign(csr, paa: paa, key: paaKey, extensions: without("basicConstraints", "basicConstraints = critical,CA:TRUE")), paa,
             "(profile): PAI: "),
            ("a PAI not signed by the given PAA", try op.sign(csr, paa: imposter.cert, key: imposter.key), paa,
             "(chain): PAI: "),
            ("a PAA that fails its profile", try op.sign(csr, paa: badPAA.cert, key: badPAA.key), badPAA.cert,
             "(PAA profile): PAA: "),
            ("a PAA neither given nor in the ledger", try op.sign(csr, paa: paa, key: paaKey), nil,
             "(chain): no PAA with SKID \(Self.noVIDSKID) (the PAI's AKID) in the ledger"),
        ]
        let state = try ExternalPAA.ledgerState(h), token = try Self.tokenState(h)
        for (name, cert, paaCert, message) in cases {
            let r = try h.run(["pai", "import", cert.path] + (paaCert.map { ["--paa-cert", $0.path] } ?? []))
            #expect(r.status == 1, "\(name): \(r.output)")
            #expect(r.stderr.contains("pai import refused \(message)") && r.stderr.contains("nothing was recorded"), "\(name): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(name): one line: \(r.stderr)")
            #expect(try ExternalPAA.ledgerState(h) == state, "\(name) changed the ledger")
            #expect(try Self.tokenState(h) == token, "\(name) changed the token")
        }
        // The request is intact after all of that: its right certificate imports.
        let good = try h.run(["pai", "import", try op.sign(csr, paa: paa, key: paaKey).path, "--paa-cert", paa.path])
        #expect(good.status == 0, "\(good.output)")
    }
}

import Foundation
import MatterPKI
import Testing
import TestSupport

/// Published CRLs judged by independent readers: `openssl crl -verify`, `openssl verify -crl_check_all`, and the
/// Matter SDK's own revocation-set generator fed with the CRLs and `crl dcl-metadata`'s points: its set must equal
/// `crl revocation-set`'s, for CA-signed, delegated and partitioned CRLs.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct CRLPublicationTests {
    struct Published {
        let crls: [[String: Any]]
        func files(ca: String) -> [URL] { crls.filter { $0["ca"] as? String == ca }.map { URL(fileURLWithPath: $0["file"] as! String) } }
    }

    static func publish(_ h: TestHome, _ extra: [String] = []) throws -> Published {
        let r = try h.run(["crl", "publish", "--json"] + extra)
        guard r.status == 0 else { throw TestHome.Failure(description: "crl publish: \(r.output)") }
        return Published(crls: try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]])
    }

    static func skid(_ h: TestHome, type: String, name: String) throws -> String {
        let all = try h.json(["list", type]) as! [[String: Any]]
        return try #require(all.first { ($0["subject"] as? String)?.contains("CN=\(name)") == true }?["skid"] as? String)
    }

    /// The ceremony's PEM of an authority.
    static func pem(_ h: TestHome, _ type: String, _ skid: String) throws -> String {
        try String(contentsOf: h.root.appendingPathComponent("certificates/\(type)-\(skid).pem"), encoding: .utf8)
    }

    /// Our set and the SDK's, compared as issuer → (serials, signer, delegator).
    static func expectSDKAgrees(_ h: TestHome, crls: [URL], paas: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let points = try h.run(["crl", "dcl-metadata", "--json", "--paa-vid", "FFF1"])
        #expect(points.status == 0, "\(points.output)", sourceLocation: sourceLocation)
        let ours = try h.run(["crl", "revocation-set"])
        #expect(ours.status == 0, "\(ours.output)", sourceLocation: sourceLocation)
        let sdk = try SDKRevocation.revocationSet(crls: crls, paas: paas, points: Data(points.stdout.utf8))
        func normal(_ set: [[String: Any]]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: set.map { e in
                ("\(e["issuer_subject_key_id"]!)/\(e["crl_signer_cert"]!)",
                 "\(e["issuer_name"]!) \((e["revoked_serial_numbers"] as! [String]).sorted()) \(e["crl_signer_delegator"] as? String ?? "null")")
            })
        }
        let mine = try JSONSerialization.jsonObject(with: Data(ours.stdout.utf8)) as! [[String: Any]]
        let wanted = Set(crls.map(\.lastPathComponent))
        let mineForFiles = mine.filter { e in wanted.contains { $0.hasPrefix(e["issuer_subject_key_id"] as! String) } }
        #expect(!sdk.set.isEmpty, "the SDK accepted no point: \(sdk.log.suffix(2000))", sourceLocation: sourceLocation)
        #expect(normal(sdk.set) == normal(mineForFiles), "SDK: \(sdk.set)\nours: \(mineForFiles)\nlog: \(sdk.log.suffix(2000))", sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: SDKRevocation.installed, SDKRevocation.notInstalled))
    func caSignedCRLsPassOpenSSLAndTheSDKGenerator() throws {
        let h = try DACBatchTests.home()
        let serials = try RevocationTests.batch(h, key: "c1")
        let out = h.root.appendingPathComponent("out-c1")
        #expect(try h.run(["revoke", serials[0], "--reason", "keyCompromise"]).status == 0)
        _ = try h.json(["pai", "issue", "--paa", "Root", "--vid", "FFF1", "--cn", "Spare PAI"])
        #expect(try h.run(["revoke", "--pai", "Spare PAI"]).status == 0)
        let paa = try Self.skid(h, type: "paa", name: "Root"), pai = try Self.skid(h, type: "pai", name: "FFF1 PAI")
        let published = try Self.publish(h)
        #expect(published.crls.count == 4, "one CRL per PAA and PAI: \(published.crls)")

        // openssl: every CRL verifies under its CA; the revoked DAC is refused, its sibling accepted.
        let dir = try CLI.tempDirectory("crl-openssl")
        for c in published.crls {
            let ca = c["ca"] as! String
            let type = ca == paa ? "paa" : "pai"
            let caFile = dir.appendingPathComponent("\(ca).pem")
            try Self.pem(h, type, ca).write(to: caFile, atomically: true, encoding: .utf8)
            let v = try CLI.exec("openssl", ["crl", "-inform", "DER", "-in", c["file"] as! String, "-CAfile", caFile.path, "-noout", "-verify"])
            #expect(v.status == 0 && v.output.contains("verify OK"), "\(ca): \(v.output)")
        }
        var crlPEMs = ""
        for f in published.files(ca: pai) + published.files(ca: paa) {
            crlPEMs += try CLI.exec("openssl", ["crl", "-inform", "DER", "-in", f.path]).stdout
        }
        let crlFile = dir.appendingPathComponent("crls.pem")
        try crlPEMs.write(to: crlFile, atomically: true, encoding: .utf8)
        func opensslVerify(_ serial: String) throws -> CLI.Result {
            try CLI.exec("openssl", ["verify", "-crl_check_all", "-CAfile", out.appendingPathComponent("paa.pem").path,
                                     "-untrusted", out.appendingPathComponent("pai.pem").path, "-CRLfile", crlFile.path,
                                     out.appendingPathComponent("dac-\(serial).pem").path])
        }
        let revoked = try opensslVerify(serials[0]), sibling = try opensslVerify(serials[1])
        #expect(revoked.status != 0 && revoked.output.contains("certificate revoked"), "\(revoked.output)")
        #expect(sibling.status == 0, "\(sibling.output)")

        try Self.expectSDKAgrees(h, crls: published.files(ca: pai) + published.files(ca: paa), paas: [try Self.pem(h, "paa", paa)])

        // Republishing numbers the CRLs on: each signer's cRLNumber grows; everything is in the audit chain.
        let again = try Self.publish(h)
        for c in again.crls { #expect((c["number"] as! Int) == 2, "\(c)") }
        #expect((try h.json(["audit", "list", "--action", "crl.publish"]) as! [[String: String]]).count == 8)
        #expect(try h.run(["audit", "verify"]).status == 0)
    }

    @Test(.enabled(if: SDKRevocation.installed, SDKRevocation.notInstalled))
    func delegatedSignersMakeIndirectCRLsTheSDKAccepts() throws {
        let h = try DACBatchTests.home()
        let serials = try RevocationTests.batch(h, key: "d1")
        let paa = try Self.skid(h, type: "paa", name: "Root"), pai = try Self.skid(h, type: "pai", name: "FFF1 PAI")
        let paiDelegate = try h.json(["crl", "signer", "create", "--ca", "FFF1 PAI", "--cn", "FFF1 PAI CRL signer"]) as! [String: Any]
        let paaDelegate = try h.json(["crl", "signer", "create", "--ca", "Root", "--cn", "Root CRL signer"]) as! [String: Any]
        #expect(try h.run(["revoke", serials[2]]).status == 0)
        #expect(try h.run(["revoke", "--pai", "FFF2 PAI"]).status == 0)
        let published = try Self.publish(h)
        for (ca, delegate, caType) in [(pai, paiDelegate, "pai"), (paa, paaDelegate, "paa")] {
            let file = try #require(published.files(ca: ca).first)
            let signerSKID = delegate["skid"] as! String
            #expect(published.crls.first { $0["ca"] as? String == ca }?["signer"] as? String == signerSKID)
            // The delegate's certificate meets the CRL-signer profile by the project's lint, and the CRL verifies with it.
            let signerPEM = h.root.appendingPathComponent("certificates/crl-signer-\(signerSKID).pem")
            let lint = try h.run(["lint", signerPEM.path, "--as", "crl-signer"])
            #expect(lint.status == 0, "\(lint.output)")
            let v = try CLI.exec("openssl", ["crl", "-inform", "DER", "-in", file.path, "-CAfile", signerPEM.path, "-noout", "-verify", "-text"])
            #expect(v.status == 0 && v.output.contains("verify OK"), "\(v.output)")
            // Indirect: every entry names the CA whose certificate it revokes.
            #expect(v.output.components(separatedBy: "Certificate Issuer:").count - 1 == v.output.components(separatedBy: "Serial Number:").count - 1)
            #expect(v.output.contains("Serial Number:") && v.output.contains(caType == "pai" ? "DirName:/CN=FFF1 PAI" : "DirName:/CN=Root"), "\(v.output)")
        }
        try Self.expectSDKAgrees(h, crls: published.files(ca: pai) + published.files(ca: paa), paas: [try Self.pem(h, "paa", paa)])

        // The points as printed pass the DCL's rules (PAI and PAA, both delegated here); each broken one way is refused
        // under the DCL rule that names it.
        let points = try JSONDecoder().decode([DCLRevocationPoint].self, from: Data(try h.run(["crl", "dcl-metadata", "--json", "--paa-vid", "FFF1"]).stdout.utf8))
        #expect(points.count == 3 && points.allSatisfy { $0.violations().isEmpty }, "\(points.map { $0.violations() })")
        let paiPoint = try #require(points.first { $0.issuerSubjectKeyID == pai }), paaPoint = try #require(points.first { $0.isPAA })
        #expect(paiPoint.crlSignerDelegator != nil && paaPoint.crlSignerDelegator != nil)
        let breaks: [(DCLRevocationPoint, DCLRule, (inout DCLRevocationPoint) -> Void)] = [
            (paiPoint, .labelTooLong, { $0.label = String(repeating: "L", count: 65) }),
            (paiPoint, .issuerSubjectKeyIDNotUppercaseHex, { $0.issuerSubjectKeyID = $0.issuerSubjectKeyID.lowercased() }),
            (paiPoint, .dataFieldsPresentForCRL, { $0.dataFileSize = "1200"; $0.dataDigest = "AB"; $0.dataDigestType = 1 }),
            (paiPoint, .dataURLNotHTTP, { $0.dataURL = "ftp://crl.example/x.crl" }),
            (paiPoint, .delegateWithoutDelegator, { $0.crlSignerDelegator = nil }),
            (paiPoint, .certificateNotPEM, { $0.crlSignerCertificate = String($0.crlSignerCertificate.filter { !$0.isNewline }.dropFirst(27).dropLast(25)) }),
            (paaPoint, .paaPointPIDNotZero, { $0.pid = 0x8000 }),
            (paaPoint, .vidOutOfRange, { $0.vid = 0 }),
        ]
        for (point, rule, change) in breaks {
            var broken = point
            change(&broken)
            #expect(broken.violations().contains { $0.rule == rule }, "\(rule): \(broken.violations())")
        }
    }

    @Test(.enabled(if: SDKRevocation.installed, SDKRevocation.notInstalled))
    func partitionedCRLsCarryAnIDPTheSDKMatches() throws {
        let h = try DACBatchTests.home()
        let serials = try RevocationTests.batch(h, count: 5, key: "p1")
        #expect(try h.run(["revoke", "--batch", "p1"]).status == 0)
        let templates = try CLI.tempDirectory("crl-templates")
        try "type: crl\nnext_update: { days: 7 }\nbase_url: \"https://crl.vendor.example\"\npartition_size: 2\n"
            .write(to: templates.appendingPathComponent("crl.yaml"), atomically: true, encoding: .utf8)
        let paa = try Self.skid(h, type: "paa", name: "Root"), pai = try Self.skid(h, type: "pai", name: "FFF1 PAI")
        let published = try Self.publish(h, ["--templates", templates.path])
        let parts = published.crls.filter { $0["ca"] as? String == pai }
        #expect(parts.map { $0["partition"] as? Int } == [0, 1, 2] && parts.map { $0["entries"] as? Int } == [2, 2, 1], "\(parts)")
        for p in parts {
            let text = try CLI.exec("openssl", ["crl", "-inform", "DER", "-in", p["file"] as! String, "-noout", "-text"]).stdout
            #expect(text.contains("Issuing Distribution Point: critical") && text.contains("URI:\(p["url"] as! String)"), "\(text)")
            #expect((p["url"] as! String).hasPrefix("https://crl.vendor.example/crl/\(pai)-"))
        }
        // The generator's local mode finds a signer's CRL by issuer name, first match: one partition per run, every
        // point given, so that only the point whose dataURL equals that CRL's IDP is accepted (GEN step 7b).
        let paaPEM = try Self.pem(h, "paa", paa)
        let points = try h.run(["crl", "dcl-metadata", "--json", "--paa-vid", "FFF1"])
        #expect(points.status == 0, "\(points.output)")
        var sdkSerials: [String] = []
        for p in parts {
            let sdk = try SDKRevocation.revocationSet(crls: [URL(fileURLWithPath: p["file"] as! String)], paas: [paaPEM], points: Data(points.stdout.utf8))
            let forPAI = sdk.set.filter { $0["issuer_subject_key_id"] as? String == pai }
            #expect(forPAI.count == 1, "partition \(p["partition"]!): \(sdk.set) \(sdk.log.suffix(1500))")
            sdkSerials += forPAI.flatMap { $0["revoked_serial_numbers"] as! [String] }
        }
        let ours = try JSONSerialization.jsonObject(with: Data(try h.run(["crl", "revocation-set"]).stdout.utf8)) as! [[String: Any]]
        let ourSerials = ours.filter { $0["issuer_subject_key_id"] as? String == pai }.flatMap { $0["revoked_serial_numbers"] as! [String] }
        #expect(sdkSerials.sorted() == ourSerials.sorted() && Set(ourSerials) == Set(serials), "\(sdkSerials) \(ourSerials)")
    }
}

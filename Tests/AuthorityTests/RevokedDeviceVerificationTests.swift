import Foundation
import MatterPKI
import Testing
import TestSupport

/// End to end as a utility meets it: devices from a factory batch attest, the vendor revokes one, the authority
/// publishes, the revocation set is built, and `verify` shuts out exactly the revoked device (302), then every
/// device of a revoked PAI (208), while a device of another PAI still verifies.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct RevokedDeviceVerificationTests {
    struct Device {
        let dac: URL, key: URL, pai: URL
    }

    static func devices(_ h: TestHome, vendor: String, pid: String = "8000", pai: String, key: String, count: Int) throws -> [Device] {
        let out = h.root.appendingPathComponent("out-\(key)")
        let r = try h.run(["dac", "batch", "--vendor", vendor, "--pid", pid, "--pai", pai, "--count", String(count), "--out", out.path, "--idempotency-key", key])
        #expect(r.status == 0, "\(r.output)")
        return try DACBatchTests.manifest(out).map { item in
            let s = item["serial"] as! String
            return Device(dac: out.appendingPathComponent("dac-\(s).pem"), key: out.appendingPathComponent("dac-key-\(s).pem"), pai: out.appendingPathComponent("pai.pem"))
        }
    }

    @Test func revokedDevicesFailWithTheSDKCodesAndOthersPass() throws {
        let h = try DACBatchTests.home()
        let fff1 = try Self.devices(h, vendor: "FFF1", pai: "FFF1 PAI", key: "v1", count: 2)
        let fff2 = try Self.devices(h, vendor: "FFF2", pid: "8001", pai: "FFF2 PAI", key: "v2", count: 1)
        let lab = try CLI.tempDirectory("revocation-lab")
        func p(_ n: String) -> String { lab.appendingPathComponent(n).path }
        for d in ["paa-store", "cd-keys"] { try FileManager.default.createDirectory(atPath: p(d), withIntermediateDirectories: true) }
        try FileManager.default.copyItem(at: h.root.appendingPathComponent("out-v1/paa.pem"), to: URL(fileURLWithPath: p("paa-store/paa.pem")))
        // A test lab's CD signer (openssl), one CD per vendor, one attestation per device.
        #expect(try CLI.exec("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p("cd-key.pem")]).status == 0)
        #expect(try CLI.exec("openssl", ["req", "-x509", "-new", "-key", p("cd-key.pem"), "-subj", "/CN=Lab CD Signer", "-days", "30",
                                         "-addext", "subjectKeyIdentifier=hash", "-out", p("cd-keys/lab.pem")]).status == 0)
        let nonce = String(repeating: "5A", count: 32), challenge = String(repeating: "C3", count: 16)
        for (vid, pid) in [("FFF1", "8000"), ("FFF2", "8001")] {
            let r = try CLI.run(["dev", "cd", "--vid", vid, "--pid", pid, "--signing-key", p("cd-key.pem"), "--signing-cert", p("cd-keys/lab.pem"), "--out", p("cd-\(vid).der")])
            #expect(r.status == 0, "\(r.output)")
        }
        func verify(_ d: Device, vid: String, pid: String = "8000", set: String?) throws -> (code: Int, reason: String) {
            let att = lab.appendingPathComponent("att-\(d.dac.lastPathComponent)")
            if !FileManager.default.fileExists(atPath: att.path) {
                let r = try CLI.run(["dev", "attest", "--dac-key", d.key.path, "--cd", p("cd-\(vid).der"), "--nonce", nonce, "--challenge", challenge, "--out", att.path])
                #expect(r.status == 0, "\(r.output)")
            }
            let r = try CLI.run(["verify", "--dac", d.dac.path, "--pai", d.pai.path, "--cd", p("cd-\(vid).der"), "--elements", att.appendingPathComponent("elements.tlv").path,
                                 "--signature", att.appendingPathComponent("signature.bin").path, "--nonce", nonce, "--challenge", challenge, "--vid", vid,
                                 "--pid", pid, "--paa-store", p("paa-store"), "--cd-keys", p("cd-keys"), "--json"] + (set.map { ["--revocation-set", $0] } ?? []))
            let j = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
            return (j?["code"] as? Int ?? -1, (j?["reason"] as? String) ?? r.output)
        }
        func publishSet(_ name: String) throws -> String {
            #expect(try h.run(["crl", "publish"]).status == 0)
            let r = try h.run(["crl", "revocation-set", "--out", p(name)])
            #expect(r.status == 0, "\(r.output)")
            return p(name)
        }
        for d in fff1 { #expect(try verify(d, vid: "FFF1", set: nil).code == 0) }

        let dacSerial = try #require(try ParsedCertificate(der: CertificateFile.derBytes(Array(Data(contentsOf: fff1[0].dac)), name: "dac", label: "CERTIFICATE")).serialHex as String?)
        #expect(try h.run(["revoke", dacSerial, "--reason", "keyCompromise"]).status == 0)
        let one = try publishSet("set-1.json")
        let revoked = try verify(fff1[0], vid: "FFF1", set: one)
        #expect(revoked.code == 302, "\(revoked.reason)")
        #expect(try verify(fff1[1], vid: "FFF1", set: one).code == 0)

        #expect(try h.run(["revoke", "--pai", "FFF1 PAI", "--reason", "keyCompromise"]).status == 0)
        let two = try publishSet("set-2.json")
        let both = try verify(fff1[1], vid: "FFF1", set: two)
        #expect(both.code == 208, "\(both.reason)")
        #expect(try verify(fff2[0], vid: "FFF2", pid: "8001", set: two).code == 0, "a device of another PAI still verifies")

        // A set that carries only the PAA's CRL (a bridge that has not fetched the PAI's yet): the PAI alone is revoked.
        let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: two))) as! [[String: Any]]
        let paa = try CRLPublicationTests.skid(h, type: "paa", name: "Root")
        try JSONSerialization.data(withJSONObject: entries.filter { $0["issuer_subject_key_id"] as? String == paa }).write(to: URL(fileURLWithPath: p("set-paa.json")))
        let paiOnly = try verify(fff1[1], vid: "FFF1", set: p("set-paa.json"))
        #expect(paiOnly.code == 202, "\(paiOnly.reason)")

        // A revoked PAI issues nothing more; the refusal changes nothing.
        let before = try h.ledgerState()
        let refused = try h.run(["dac", "batch", "--vendor", "FFF1", "--pid", "8000", "--pai", "FFF1 PAI", "--count", "1", "--out", p("after")])
        #expect(refused.status == 1 && refused.stderr.contains("issuerRevoked: PAI"), "\(refused.output)")
        #expect(try h.ledgerState() == before)
    }
}

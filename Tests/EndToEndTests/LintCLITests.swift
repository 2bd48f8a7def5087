import Foundation
import MatterPKI
import Testing
import TestSupport

@Suite struct LintCLITests {
    static func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func forged(_ mutation: String) -> (paa: [UInt8], pai: [UInt8], dac: [UInt8]) {
        var c = ForgedChain()
        ChainMutations.all().first { $0.name == mutation }!.apply(&c)
        return c.render()
    }

    @Test func violationsExitOneWithOneLinePerViolation() throws {
        let dir = try CLI.tempDirectory("lint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let der = Self.forged("dac.ku=digitalSignature+keyEncipherment")
        let dac = try Self.write(der.dac, "dac.der", in: dir)
        let r = try CLI.run(["lint", dac, "--as", "dac"])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("DAC: dacKeyUsageMustBeDigitalSignatureOnly: keyUsage is [digitalSignature, keyEncipherment]"), "\(r.stdout)")

        // The same certificate linted as a PAI breaks the CA rules instead.
        let asPAI = try CLI.run(["lint", dac, "--as", "pai"])
        #expect(asPAI.status == 1 && asPAI.stdout.contains("caMustBeCA") && asPAI.stdout.contains("caKeyUsageMustIncludeKeyCertSignAndCRLSign") && asPAI.stdout.contains("caKeyUsageMustNotHaveOtherBits: keyUsage also has [keyEncipherment]"))
    }

    @Test func jsonReportNamesRuleRequirementAndSource() throws {
        let dir = try CLI.tempDirectory("lint-json")
        defer { try? FileManager.default.removeItem(at: dir) }
        let der = Self.forged("dac.bc.critical-flipped")
        let dac = try Self.write(Array(CertificateFile.pem(der.dac).utf8), "dac.pem", in: dir)
        let r = try CLI.run(["lint", dac, "--as", "dac", "--json"])
        #expect(r.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(json["compliant"] as? Bool == false)
        let v = (json["violations"] as! [[String: String]]).first!
        #expect(v["rule"] == "basicConstraintsMustBeCritical" && v["certificate"] == "dac")
        #expect(v["source"]?.contains("VerifyAttestationCertificateFormat") == true)
    }

    @Test func chainRulesApplyWithIssuerAndRoot() throws {
        let dir = try CLI.tempDirectory("lint-chain")
        defer { try? FileManager.default.removeItem(at: dir) }
        let der = Self.forged("dac.vid.other")
        let (paa, pai, dac) = (try Self.write(der.paa, "paa.der", in: dir), try Self.write(der.pai, "pai.der", in: dir), try Self.write(der.dac, "dac.der", in: dir))
        #expect(try CLI.run(["lint", dac, "--as", "dac"]).status == 0, "alone, the DAC is well formed")
        let withIssuer = try CLI.run(["lint", dac, "--as", "dac", "--issuer", pai])
        #expect(withIssuer.status == 1 && withIssuer.stdout.contains("dacVIDMustMatchPAI"))
        let chain = try CLI.run(["lint", dac, "--as", "dac", "--issuer", pai, "--root", paa])
        #expect(chain.status == 1 && chain.stdout.contains("dacVIDMustMatchPAI"))
        #expect(try CLI.run(["lint", pai, "--as", "pai", "--issuer", paa]).status == 0)
    }

    @Test(arguments: [
        ("dac.key.P-384", "publicKeyMustBeP256: public key is EC P-384"),
        ("dac.key.RSA-2048", "publicKeyMustBeP256: public key is RSA"),
        ("dac.key.secp256k1", "publicKeyMustBeP256: public key is EC secp256k1"),
        ("dac.sigalg.ecdsa-with-SHA1", "signatureAlgorithmMustBeECDSAWithSHA256: signature algorithm is ecdsa-with-SHA1"),
    ])
    func wrongKeysAndAlgorithmsAreNamed(_ mutation: String, _ expected: String) throws {
        let dir = try CLI.tempDirectory("lint-key")
        defer { try? FileManager.default.removeItem(at: dir) }
        let dac = try Self.write(Self.forged(mutation).dac, "dac.der", in: dir)
        let r = try CLI.run(["lint", dac, "--as", "dac"])
        #expect(r.status == 1 && r.stdout.contains(expected), "\(r.output)")
    }

    @Test func unreadableInputExitsTwoWithTheReason() throws {
        let dir = try CLI.tempDirectory("lint-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = ForgedChain().render().dac
        let pem = CertificateFile.pem(good)
        let cases: [(String, [UInt8], String)] = [
            ("garbage.der", Array("not a certificate at all".utf8), "malformed certificate at certificate: not valid DER"),
            ("truncated.der", Array(good.prefix(200)), "malformed certificate at certificate: not valid DER"),
            ("truncated.pem", Array(pem.prefix(300).utf8), "PEM CERTIFICATE block is truncated"),
            ("empty.der", [], "file is empty"),
            ("sequence.der", [0x30, 0x03, 0x02, 0x01, 0x01], "malformed certificate at certificate.signatureAlgorithm"),
        ]
        for (name, bytes, message) in cases {
            let path = try Self.write(bytes, name, in: dir)
            let r = try CLI.run(["lint", path, "--as", "dac"])
            #expect(r.status == 2, "\(name): \(r.output)")
            #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
        }
    }
}

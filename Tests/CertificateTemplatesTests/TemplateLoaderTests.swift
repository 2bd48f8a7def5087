import CertificateTemplates
import Foundation
import MatterPKI
import Testing
import TestSupport

@Suite struct TemplateLoaderTests {
    @Test func repositoryTemplatesLoadAndMatchTheBuiltInCopies() throws {
        let dir = SharedVectors.packageRoot.appendingPathComponent("Templates")
        let files = try TemplateLoader.load(directory: dir)
        let builtIn = try TemplateLoader.loadOrDefault(directory: nil)
        for t in CertificateType.allCases {
            let text = try String(contentsOf: dir.appendingPathComponent("\(t.rawValue).yaml"), encoding: .utf8)
            let embedded = [CertificateType.paa: DefaultTemplates.paa, .pai: DefaultTemplates.pai, .dac: DefaultTemplates.dac,
                            .crlSigner: DefaultTemplates.crlSigner][t]!
            #expect(text == embedded, "Templates/\(t.rawValue).yaml differs from DefaultTemplates.\(t.rawValue): regenerate it")
            var a = files[t]!, b = builtIn[t]!
            a.source = ""; b.source = ""
            #expect(a == b)
        }
        #expect(try String(contentsOf: dir.appendingPathComponent("crl.yaml"), encoding: .utf8) == DefaultTemplates.crl,
                "Templates/crl.yaml differs from DefaultTemplates.crl: regenerate it")
        #expect(try CRLTemplateLoader.loadOrDefault(directory: dir) == CRLTemplateLoader.loadOrDefault(directory: nil).with(source: try CRLTemplateLoader.loadOrDefault(directory: dir).source))
        #expect(files[.dac]!.lifetime == .noWellDefinedExpiry)
        #expect(files[.dac]!.crlDistributionPointURI == nil, "no CDP on DACs by default")
        #expect(files[.paa]!.paaPathLengthOne)
    }

    /// Each template rule: a file that breaks it, the violation, and the line it must be reported on.
    static let badTemplates: [(name: String, type: CertificateType, yaml: String, violation: TemplateViolation, line: Int)] = [
        ("unknown key", .dac, "type: dac\nlifetime: { days: 10 }\nlifetme: 3\n", .unknownKey("lifetme"), 3),
        ("missing lifetime", .dac, "type: dac\ncommon_name: x\n", .missingKey("lifetime"), 1),
        ("type of another file", .dac, "type: pai\nlifetime: { days: 10 }\n", .typeDoesNotMatchFile(declared: "pai", file: "dac.yaml"), 1),
        ("unknown type", .dac, "type: nope\nlifetime: { days: 10 }\n", .unknownCertificateType("nope"), 1),
        ("both lifetimes", .dac, "type: dac\nlifetime: { days: 10, no_well_defined_expiry: true }\n", .lifetimeMustBeDaysOrNoExpiry, 2),
        ("zero days", .dac, "type: dac\nlifetime:\n  days: 0\n", .lifetimeDaysOutOfRange(0), 3),
        ("serial too short", .dac, "type: dac\nlifetime: { days: 1 }\nserial_length: 4\n", .serialLengthOutOfRange(4), 3),
        ("serial too long", .pai, "type: pai\nlifetime: { days: 1 }\nserial_length: 21\n", .serialLengthOutOfRange(21), 3),
        ("encoding", .dac, "type: dac\nlifetime: { days: 1 }\nvid_pid_encoding: oid\n", .unknownVIDPIDEncoding("oid"), 3),
        ("PAI pathlen 1", .pai, "type: pai\nlifetime: { days: 1 }\npath_length: 1\n", .pathLengthContradictsProfile(.pai, 1), 3),
        ("PAA pathlen 0", .paa, "type: paa\nlifetime: { days: 1 }\npath_length: 0\n", .pathLengthContradictsProfile(.paa, 0), 3),
        ("PAA pathlen 2", .paa, "type: paa\nlifetime: { days: 1 }\npath_length: 2\n", .pathLengthContradictsProfile(.paa, 2), 3),
        ("DAC pathlen 0", .dac, "type: dac\nlifetime: { days: 1 }\npath_length: 0\n", .pathLengthContradictsProfile(.dac, 0), 3),
        ("PAI pathlen absent", .pai, "type: pai\nlifetime: { days: 1 }\npath_length: absent\n", .pathLengthContradictsProfile(.pai, nil), 3),
        ("DAC key usage", .dac, "type: dac\nlifetime: { days: 1 }\nkey_usage: [digitalSignature, keyEncipherment]\n",
         .keyUsageContradictsProfile(.dac, ["digitalSignature", "keyEncipherment"]), 3),
        ("CA without cRLSign", .pai, "type: pai\nlifetime: { days: 1 }\nkey_usage: [keyCertSign]\n", .keyUsageContradictsProfile(.pai, ["keyCertSign"]), 3),
        ("CA with keyAgreement", .paa, "type: paa\nlifetime: { days: 1 }\nkey_usage: [keyCertSign, cRLSign, keyAgreement]\n",
         .keyUsageContradictsProfile(.paa, ["keyCertSign", "cRLSign", "keyAgreement"]), 3),
        ("CDP not http", .pai, "type: pai\nlifetime: { days: 1 }\nextensions:\n  crl_distribution_point: ldap://x\n", .crlDistributionPointNotHTTP("ldap://x"), 4),
        ("unknown extension", .pai, "type: pai\nlifetime: { days: 1 }\nextensions:\n  subject_alt_name: x\n", .unknownKey("extensions.subject_alt_name"), 4),
        ("empty CN pattern", .dac, "type: dac\nlifetime: { days: 1 }\ncommon_name: \"  \"\n", .commonNamePatternEmpty, 3),
        ("unknown placeholder", .dac, "type: dac\nlifetime: { days: 1 }\ncommon_name: \"{name} {serial}\"\n", .unknownPlaceholder("serial"), 3),
        ("not a mapping", .dac, "- a\n- b\n", .notAMapping, 1),
        ("backdate too far", .dac, "type: dac\nlifetime: { days: 1 }\nbackdate_seconds: 90000\n", .backdateOutOfRange("90000"), 3),
    ]

    @Test(arguments: badTemplates.indices)
    func contradictoryTemplateIsRefusedWithFileAndLine(_ i: Int) {
        let bad = Self.badTemplates[i]
        do {
            _ = try TemplateLoader.parse(bad.yaml, file: "Templates/\(bad.type.rawValue).yaml", expecting: bad.type)
            Issue.record("\(bad.name): accepted")
        } catch let e as TemplateLoadError {
            #expect(e.violation == bad.violation, "\(bad.name): \(e)")
            #expect(e.line == bad.line, "\(bad.name): reported line \(e.line)")
            #expect(e.description.hasPrefix("Templates/\(bad.type.rawValue).yaml:\(bad.line): "))
        } catch {
            Issue.record("\(bad.name): unexpected \(error)")
        }
    }

    @Test func optionalFieldsAreRead() throws {
        let t = try TemplateLoader.parse("""
            type: paa
            lifetime: { days: 30 }
            common_name: "{name} root"
            serial_length: 20
            path_length: absent
            key_usage: [keyCertSign, cRLSign, digitalSignature]
            extensions: { crl_distribution_point: "https://crl.example.com/paa.crl" }
            """, file: "paa.yaml", expecting: .paa)
        #expect(t.lifetime == .days(30) && t.serialLength == 20 && !t.paaPathLengthOne && t.caDigitalSignature)
        #expect(t.crlDistributionPointURI == "https://crl.example.com/paa.crl" && t.commonNamePattern == "{name} root")
    }
}

import CertificateTemplates
import Crypto
import Foundation
import MatterPKI
import Signing
import Testing
import TestSupport
import X509Builder

@Suite struct TemplateEngineTests {
    static let templates = try! TemplateLoader.loadOrDefault(directory: nil)
    static let key = P256.Signing.PrivateKey().publicKey
    static let now = Date(timeIntervalSince1970: 1_800_000_000.75)

    @Test func prepareGivesAFullySpecifiedRequest() throws {
        let spec = try TemplateEngine.prepare(Self.templates[.pai]!, CertificateRequest(type: .pai, name: "Acme PAI", vid: VendorID(0xFFF1), publicKey: Self.key), now: Self.now)
        #expect(spec.commonName == "Acme PAI" && spec.vid == VendorID(0xFFF1) && spec.pid == nil)
        #expect(spec.notBefore == Date(timeIntervalSince1970: 1_800_000_000 - 3600), "whole seconds, backdated an hour")
        #expect(spec.expiry == .noWellDefinedExpiration)
        var days = Self.templates[.pai]!
        days.lifetime = .days(3653)
        let bounded = try TemplateEngine.prepare(days, CertificateRequest(type: .pai, name: "Acme PAI", vid: VendorID(0xFFF1), publicKey: Self.key), now: Self.now)
        #expect(bounded.expiry == .date(Date(timeIntervalSince1970: 1_800_000_000 - 3600 + 3653 * 86400 - 1)), "notBefore + days − 1 s, as chip-cert")
        let dac = try TemplateEngine.prepare(Self.templates[.dac]!, CertificateRequest(type: .dac, name: "Thermostat", vid: VendorID(0xFFF1), pid: ProductID(0x8000), publicKey: Self.key), now: Self.now)
        #expect(dac.expiry == .noWellDefinedExpiration && dac.notAfter == CertificateTime.noWellDefinedExpiration.date)
    }

    @Test func placeholdersExpandAndFallbackIsAppended() throws {
        var t = Self.templates[.dac]!
        t.commonNamePattern = "Acme {vid}/{pid} #{device_id}"
        t.vidPidEncoding = .commonNameFallback
        let spec = try TemplateEngine.prepare(t, CertificateRequest(type: .dac, vid: VendorID(0xFFF1), pid: ProductID(0x00B1), deviceID: "42", publicKey: Self.key))
        #expect(spec.encodedCommonName == "Acme FFF1/00B1 #42 Mvid:FFF1 Mpid:00B1")
    }

    @Test func aValueIsNeverExpandedAgain() throws {
        var t = Self.templates[.pai]!
        t.commonNamePattern = "{name} of {vid}"
        let spec = try TemplateEngine.prepare(t, CertificateRequest(type: .pai, name: "PAI {vid}", vid: VendorID(0xFFF1), publicKey: Self.key))
        #expect(spec.encodedCommonName.hasPrefix("PAI {vid} of FFF1"), "\(spec.encodedCommonName)")
    }

    static let refused: [(String, CertificateType, CertificateRequest, TemplateViolation)] = [
        ("template for another type", .dac, CertificateRequest(type: .pai, name: "x", vid: VendorID(0xFFF1), publicKey: key), .requestTypeMismatch(template: .dac, request: .pai)),
        ("DAC without VID", .dac, CertificateRequest(type: .dac, name: "x", pid: ProductID(1), publicKey: key), .vidRequired(.dac)),
        ("DAC without PID", .dac, CertificateRequest(type: .dac, name: "x", vid: VendorID(0xFFF1), publicKey: key), .pidRequired(.dac)),
        ("PAI without VID", .pai, CertificateRequest(type: .pai, name: "x", publicKey: key), .vidRequired(.pai)),
        ("PAA with PID", .paa, CertificateRequest(type: .paa, name: "x", pid: ProductID(1), publicKey: key), .paaMustNotHavePID),
        ("VID 0", .pai, CertificateRequest(type: .pai, name: "x", vid: VendorID(0), publicKey: key), .vidMustNotBeZero),
        ("PID 0", .dac, CertificateRequest(type: .dac, name: "x", vid: VendorID(1), pid: ProductID(0), publicKey: key), .pidMustNotBeZero),
        ("no name for {name}", .paa, CertificateRequest(type: .paa, publicKey: key), .placeholderValueMissing("name")),
        ("CN of 65 bytes", .paa, CertificateRequest(type: .paa, name: String(repeating: "n", count: 65), publicKey: key), .commonNameTooLong(bytes: 65)),
        ("Mvid: in an attribute-encoded CN", .dac, CertificateRequest(type: .dac, name: "Dev Mvid:FFF1", vid: VendorID(0xFFF1), pid: ProductID(1), publicKey: key),
         .commonNameContainsVIDPIDPrefix("Dev Mvid:FFF1")),
    ]

    @Test(arguments: refused.indices)
    func requestsTheProfileForbidsAreRefused(_ i: Int) throws {
        let (name, type, request, violation) = Self.refused[i]
        #expect(throws: violation, "\(name)") { _ = try TemplateEngine.prepare(Self.templates[type]!, request) }
        // The issuance path (prepare, then build) never reaches a signer for such a request.
        let signer = CountingSigner()
        let paa = try CertificateBuilder.selfSigned(try TemplateEngine.prepare(Self.templates[.paa]!, CertificateRequest(
            type: .paa, name: "Issuer", publicKey: signer.publicKey)), signer: signer)
        let issuer = try IssuerContext(certificate: paa.certificate, type: .paa, signer: signer)
        let before = signer.calls
        #expect(throws: TemplateViolation.self) {
            _ = try CertificateBuilder.issue(try TemplateEngine.prepare(Self.templates[type]!, request), by: issuer)
        }
        #expect(signer.calls == before, "\(name): the signer was called")
    }

    @Test func fallbackCNOver64BytesIsRefusedNotTruncated() {
        var t = Self.templates[.dac]!
        t.vidPidEncoding = .commonNameFallback
        let r = CertificateRequest(type: .dac, name: String(repeating: "d", count: 45), vid: VendorID(0xFFF1), pid: ProductID(0x8000), publicKey: Self.key)
        #expect(throws: TemplateViolation.commonNameTooLong(bytes: 65)) { _ = try TemplateEngine.prepare(t, r) }
    }

    @Test func lifetimePastYear9999IsRefused() {
        var t = Self.templates[.pai]!
        t.lifetime = .days(3_000_000)
        let r = CertificateRequest(type: .pai, name: "x", vid: VendorID(1), publicKey: Self.key)
        #expect(throws: TemplateViolation.notAfterBeyondYear9999) { _ = try TemplateEngine.prepare(t, r) }
    }

    /// Templates → builder → lint: what the templates prepare is issued and compliant.
    @Test func preparedSpecsIssueCompliantChains() throws {
        let keys = (paa: SoftwareSigner(), pai: SoftwareSigner(), dac: SoftwareSigner())
        let t = Self.templates
        let paa = try CertificateBuilder.selfSigned(try TemplateEngine.prepare(t[.paa]!, CertificateRequest(type: .paa, name: "Root", publicKey: keys.paa.publicKey)), signer: keys.paa)
        let pai = try CertificateBuilder.issue(try TemplateEngine.prepare(t[.pai]!, CertificateRequest(type: .pai, name: "PAI", vid: VendorID(0xFFF1), publicKey: keys.pai.publicKey)),
                                               by: IssuerContext(certificate: paa.certificate, type: .paa, signer: keys.paa))
        let dac = try CertificateBuilder.issue(try TemplateEngine.prepare(t[.dac]!, CertificateRequest(type: .dac, name: "DAC", vid: VendorID(0xFFF1), pid: ProductID(0x8000), publicKey: keys.dac.publicKey)),
                                               by: IssuerContext(certificate: pai.certificate, type: .pai, signer: keys.pai))
        let v = MatterProfile.lintChain(paa: paa.certificate, pai: pai.certificate, dac: dac.certificate, policy: .issuance)
        #expect(v.isEmpty, "\(v)")
    }
}

import Crypto
import Foundation
import MatterPKI
import Signing
import Testing
import TestSupport
@testable import X509Builder

/// A DAC built from its issuer's template is byte for byte the DAC the general path builds for the same inputs, and
/// the template's lint refuses any TBS that strays from the linted reference outside the per-device fields, before
/// the key is used.
@Suite struct DACTemplateTests {
    static let start = Date(timeIntervalSince1970: 1_750_000_000)

    static func issuer(paiPID: UInt16? = nil, paiLifetime: CertificateSpec.Expiry = .noWellDefinedExpiration) throws -> (IssuerContext, CountingSigner) {
        let paaKey = SoftwareSigner(), paiKey = CountingSigner()
        let paa = try CertificateBuilder.selfSigned(CertificateSpec(type: .paa, commonName: "T PAA", publicKey: paaKey.publicKey, notBefore: start,
                                                                    expiry: .noWellDefinedExpiration), signer: paaKey)
        let pai = try CertificateBuilder.issue(CertificateSpec(type: .pai, commonName: "T PAI", vid: VendorID(0xFFF1), pid: paiPID.map(ProductID.init),
                                                               publicKey: paiKey.publicKey, notBefore: start, expiry: paiLifetime),
                                               by: IssuerContext(certificate: paa.certificate, type: .paa, signer: paaKey))
        return (try IssuerContext(certificate: pai.certificate, type: .pai, signer: paiKey), paiKey)
    }

    /// The general path's TBS for `spec` (linted, never signed), with `serial` in place of its random one.
    static func generalTBS(_ spec: CertificateSpec, issuer: IssuerContext, serial: [UInt8]) throws -> [UInt8] {
        do { _ = try CertificateBuilder.build(spec, issuer: issuer, signer: ReferenceSigner(issuer.signer.publicKey), capture: true) } catch let c as ReferenceCaptured {
            var tbs = c.tbs.tbsBytes
            let header = tbs[1] < 0x80 ? 2 : 2 + Int(tbs[1] & 0x7F)
            let at = header + 5 + 2   // the serial INTEGER's content, after the outer header and the 5-byte version
            #expect(tbs[at - 1] == UInt8(serial.count))
            tbs.replaceSubrange(at..<(at + serial.count), with: serial)
            return tbs
        }
        throw TestHome.Failure(description: "no TBS captured")
    }

    static let shapes: [(String, CertificateSpec.VIDPIDEncoding, UInt16?, CertificateSpec.Expiry?, String?, Int, Date)] = [
        ("Device", .attributes, 0x8000, nil, nil, 16, start),
        ("Thermostat 42", .commonNameFallback, 0x8001, nil, nil, 20, start),
        ("EV charger", .attributes, 0x8000, .date(start.addingTimeInterval(3650 * 86400 - 1)), "https://crl.example/pai.crl", 8, start),
        // notBefore in 2049, notAfter in 2050: UTCTime then GeneralizedTime.
        ("Battery", .attributes, 0x8000, .date(Date(timeIntervalSince1970: 2_524_521_600 + 2 * 86400 - 1)), nil, 16, Date(timeIntervalSince1970: 2_524_521_600)),
    ]

    @Test(arguments: 0..<4)
    func templatedDACsAreByteIdenticalToTheGeneralPath(_ i: Int) throws {
        let (cn, encoding, pid, expiry, cdp, serialLength, notBefore) = Self.shapes[i]
        let (issuer, paiKey) = try Self.issuer()
        for _ in 0..<3 {
            let key = P256.Signing.PrivateKey().publicKey
            var spec = CertificateSpec(type: .dac, commonName: cn, vid: VendorID(0xFFF1), pid: pid.map(ProductID.init), vidPidEncoding: encoding,
                                       publicKey: key, notBefore: notBefore, expiry: expiry ?? .noWellDefinedExpiration, serialNumberLength: serialLength,
                                       crlDistributionPointURI: cdp)
            spec.caDigitalSignature = false
            let calls = paiKey.calls
            let dac = try CertificateBuilder.issue(spec, by: issuer)
            #expect(paiKey.calls == calls + 1, "one signature per DAC, none for the template's reference")
            let general = try Self.generalTBS(spec, issuer: issuer, serial: dac.certificate.serialNumber)
            #expect(dac.certificate.tbsBytes == general, "shape \(i): the templated TBS differs from the general path's")
            // What callers read from the parsed view is what a parse of the DER says.
            let reparsed = try ParsedCertificate(der: dac.der)
            #expect(reparsed.tbsBytes == dac.certificate.tbsBytes && reparsed.subjectKeyIdentifier == dac.certificate.subjectKeyIdentifier)
            #expect(reparsed.notBefore == dac.certificate.notBefore && reparsed.notAfter == dac.certificate.notAfter && reparsed.serialHex == dac.certificate.serialHex)
            #expect(reparsed.publicKey == dac.certificate.publicKey && "\(reparsed.subject)" == "\(dac.certificate.subject)")
            #expect(MatterProfile.lint(reparsed, as: .dac, policy: .issuance).isEmpty)
            #expect(reparsed.isSignatureValid(issuerKey: issuer.signer.publicKey))
        }
    }

    /// Every region of a templated TBS, changed by one byte, is refused by the template's lint (and the signer is never
    /// called through the builder for such bytes, which `signChecked` guarantees by running the lint first).
    @Test func strayBytesAnywhereAreRefused() throws {
        let (issuer, _) = try Self.issuer()
        let key = P256.Signing.PrivateKey().publicKey
        let spec = CertificateSpec(type: .dac, commonName: "Device", vid: VendorID(0xFFF1), pid: ProductID(0x8000), publicKey: key,
                                   notBefore: Self.start, expiry: .noWellDefinedExpiration)
        let dac = try CertificateBuilder.issue(spec, by: issuer)
        let template = try #require(try issuer.templates.get("", make: { try CertificateBuilder.reference(spec, issuer: issuer) }))
        let x963 = Array(key.x963Representation)
        let tbs = dac.certificate.tbsBytes
        #expect(template.lint(tbs, publicKey: x963).isEmpty)
        var refused = 0
        for offset in stride(from: 4, to: tbs.count, by: 3) {
            var bad = tbs
            bad[offset] ^= 0x01
            if !template.lint(bad, publicKey: x963).isEmpty { refused += 1 } else {
                // The per-device slots may take other valid values: a flipped serial bit is another serial, a flipped
                // notBefore digit another start time within the PAI's validity. Nothing else may change.
                let serial = 11..<(11 + 16)
                let validity = (serial.upperBound + 12 + issuer.certificate.subject.der.count)..<(serial.upperBound + 12 + issuer.certificate.subject.der.count + 34)
                #expect(serial.contains(offset) || validity.contains(offset), "a change at byte \(offset) passed the template lint")
            }
        }
        #expect(refused > tbs.count / 3 - 8)
        var strayIssuer = tbs
        strayIssuer[40] ^= 0x01   // inside the issuer name
        #expect(template.lint(strayIssuer, publicKey: x963).first?.rule == .mustMatchLintedTemplate)
        // Another key than the requested one, and a TBS with bytes appended, are refused too.
        #expect(template.lint(tbs, publicKey: Array(P256.Signing.PrivateKey().publicKey.x963Representation)).contains { $0.rule == .publicKeyMustBeUncompressed })
        #expect(!template.lint(tbs + [0x05, 0x00], publicKey: x963).isEmpty)
    }
}

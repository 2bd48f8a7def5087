import Foundation
import MatterPKI
import Testing
import TestSupport

/// Bad bytes get a precise error and never a crash.
@Suite struct MalformedInputTests {
    static let valid = ForgedChain().render().dac

    @Test func everyTruncationIsRefusedWithAField() {
        for n in 0..<Self.valid.count {
            do {
                _ = try ParsedCertificate(der: Array(Self.valid.prefix(n)))
                Issue.record("truncated to \(n) bytes was accepted")
            } catch let e as CertificateParseError {
                #expect(!e.field.isEmpty && !e.reason.isEmpty)
            } catch { Issue.record("unexpected error type \(error)") }
        }
    }

    @Test func bitFlipsNeverCrashAndAreLintedOrRefused() {
        var rng = SystemRandomNumberGenerator()
        var refused = 0, parsed = 0
        for _ in 0..<3000 {
            var bytes = Self.valid
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            }
            if let cert = try? ParsedCertificate(der: bytes) {
                parsed += 1
                _ = MatterProfile.lint(cert, as: .dac)
            } else { refused += 1 }
        }
        #expect(refused > 0 && parsed > 0)
    }

    @Test func trailingBytesAreRefused() {
        #expect(throws: CertificateParseError.self) { try ParsedCertificate(der: Self.valid + [0x00]) }
    }

    @Test func pemProblemsAreNamed() {
        let pem = CertificateFile.pem(Self.valid)
        let truncated = String(pem.prefix(pem.count / 2))
        #expect(throws: CertificateFile.ReadError.pemUnterminated(path: "t.pem")) { try CertificateFile.parse(Array(truncated.utf8), name: "t.pem") }
        let noCert = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        #expect(throws: CertificateFile.ReadError.pemWithoutCertificate(path: "k.pem")) { try CertificateFile.parse(Array(noCert.utf8), name: "k.pem") }
        let badB64 = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"
        #expect(throws: CertificateFile.ReadError.pemBadBase64(path: "b.pem")) { try CertificateFile.parse(Array(badB64.utf8), name: "b.pem") }
        #expect(throws: CertificateFile.ReadError.empty(path: "e.der")) { try CertificateFile.parse([], name: "e.der") }
        #expect((try? CertificateFile.parse(Array(pem.utf8)))?.der == Self.valid)
    }

    @Test func wrongKeyTypesAreReadAndNamed() throws {
        for (mutation, summary) in [("dac.key.P-384", "EC P-384"), ("dac.key.RSA-2048", "RSA"), ("dac.key.secp256k1", "EC secp256k1")] {
            var c = ForgedChain()
            ChainMutations.all().first { $0.name == mutation }!.apply(&c)
            let cert = try ParsedCertificate(der: c.render().dac)
            let v = MatterProfile.lint(cert, as: .dac)
            #expect(v.contains { $0.rule == .publicKeyMustBeP256 && $0.detail.contains(summary) }, "\(mutation): \(v)")
        }
    }
}

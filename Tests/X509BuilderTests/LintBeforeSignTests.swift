import Crypto
import Foundation
import MatterPKI
import Signing
import Testing
import TestSupport
import X509
@testable import X509Builder

/// The builder's gate sees the exact to-be-signed bytes; anything that breaks a rule never reaches the signer.
@Suite struct LintBeforeSignTests {
    static let gateExamples = RuleExamples.all.filter { !$0.needsSignedChain }

    @Test(arguments: gateExamples.map(\.rule))
    func violatingTBSNeverReachesTheSigner(_ rule: MatterRule) throws {
        let example = Self.gateExamples.first { $0.rule == rule }!
        let chain = RuleExamples.chain(for: example)
        let rendered = chain.render()
        let tbs = chain[example.target].tbs
        let issuer: CertificateFacts? = switch example.target {
        case .paa: nil
        case .pai: CertificateFacts(try ParsedCertificate(der: rendered.paa), as: .paa)
        case .dac, .crlSigner: CertificateFacts(try ParsedCertificate(der: rendered.pai), as: .pai)
        }
        let signer = CountingSigner()
        let key = SignerPrivateKey(signer) { bytes in
            try CertificateBuilder.lintBeforeSigning(bytes, as: example.target, issuerFacts: issuer, issuerSubjectDER: nil)
        }
        do {
            _ = try key.signSynchronously(bytes: tbs, signatureAlgorithm: .ecdsaWithSHA256)
            Issue.record("\(example.mutation) was signed")
        } catch let e as BuilderError {
            #expect(e.violatedRules.contains(rule), "\(example.mutation): refused for \(e.violatedRules), expected \(rule)")
        }
        #expect(signer.calls == 0)
    }

    @Test func compliantTBSIsSignedExactlyOnce() throws {
        let chain = ForgedChain()
        let issuer = CertificateFacts(try ParsedCertificate(der: chain.render().pai), as: .pai)
        let signer = CountingSigner()
        let key = SignerPrivateKey(signer) { try CertificateBuilder.lintBeforeSigning($0, as: .dac, issuerFacts: issuer, issuerSubjectDER: nil) }
        _ = try key.signSynchronously(bytes: chain.dac.tbs, signatureAlgorithm: .ecdsaWithSHA256)
        #expect(signer.calls == 1)
    }
}

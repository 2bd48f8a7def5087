import Crypto
import Foundation
import MatterPKI

/// Everything about a PAI that does not depend on the DAC: its parse and format, its PAA and the chain checks
/// between the two. Computed once per PAI when cached (thousands of devices share one PAI).
public struct PAIContext: Sendable {
    /// A failure of the signature-algorithm pre-check (`GetPaaCertificateAllocationSize`).
    let preCheckFailure: AttestationVerdict?
    let parseError: String?
    let facts: CertificateFacts?
    let formatViolations: [ProfileViolation]
    let paa: CertificateFacts?
    /// PAI- and PAA-side chain violations (the DAC-dependent ones are added per attestation).
    let chainViolations: [ProfileViolation]

    static let mlDSA44: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11]
    static let mlDSA65: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12]

    init(der: [UInt8], trust: PAATrustStore) {
        preCheckFailure = Self.signatureAlgorithmPreCheck(der)
        guard preCheckFailure == nil else {
            parseError = nil; facts = nil; formatViolations = []; paa = nil; chainViolations = []
            return
        }
        let parsed: ParsedCertificate
        do { parsed = try ParsedCertificate(der: der) } catch {
            parseError = "PAI: \(error)"; facts = nil; formatViolations = []; paa = nil; chainViolations = []
            return
        }
        parseError = nil
        let f = CertificateFacts(parsed, as: .pai)
        facts = f
        let stages = VerificationStages.split(f)
        formatViolations = stages.format
        let paaCert = f.akid.flatMap { trust.lookup(subjectKeyIdentifier: $0) }
        paa = paaCert.map { CertificateFacts($0, as: .paa) }
        var chain = stages.chain
        if let a = paa {
            chain += VerificationStages.split(a).chain
            chain += MatterProfile.lintIssuer(child: f, issuer: a).filter { VerificationStages.chainRules.contains($0.rule) }
        }
        chainViolations = chain
    }

    /// The SDK reads the PAI's signatureAlgorithm before anything else to size the PAA buffer: ecdsa-with-SHA256
    /// goes on, ML-DSA is not implemented in this build (703), anything else is a PAI format error.
    static func signatureAlgorithmPreCheck(_ der: [UInt8]) -> AttestationVerdict? {
        guard let oid = SDKCertificatePeek.signatureAlgorithmOID(der) else {
            return AttestationVerdict(.paiFormatInvalid, "PAI: not a certificate (the structure up to signatureAlgorithm does not read)")
        }
        if oid == SDKCertificatePeek.ecdsaWithSHA256 { return nil }
        if oid == mlDSA44 || oid == mlDSA65 { return AttestationVerdict(.notImplemented, "the PAI is signed with ML-DSA, which this verifier does not implement") }
        return AttestationVerdict(.paiFormatInvalid, "the PAI's signatureAlgorithm is not ecdsa-with-SHA256")
    }
}

/// A bounded cache of `PAIContext` by the PAI's DER bytes.
public final class PAICache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [[UInt8]: PAIContext] = [:]
    public let capacity: Int
    public init(capacity: Int = 1024) { self.capacity = capacity }

    /// CD envelopes whose signature verified, with the key that verified it → their content. One CD serves every
    /// device of a product, so a bridge checks its signature once; a changed byte or another key is a miss.
    private var cds: [[UInt8]: [UInt8]] = [:]

    func cdContent(_ envelope: [UInt8], key: P256.Signing.PublicKey, verify: () throws -> [UInt8]) throws -> [UInt8] {
        let k = envelope + key.x963Representation
        if let c = lock.withLock({ cds[k] }) { return c }
        let content = try verify()
        lock.withLock {
            if cds.count >= capacity { cds.removeAll(keepingCapacity: true) }
            cds[k] = content
        }
        return content
    }

    func context(for der: [UInt8], trust: PAATrustStore) -> PAIContext {
        if let c = lock.withLock({ entries[der] }) { return c }
        let c = PAIContext(der: der, trust: trust)
        lock.withLock {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[der] = c
        }
        return c
    }
}

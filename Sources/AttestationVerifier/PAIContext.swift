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
    /// The PAI's and PAA's subjects as text, for the verdict's reason (formatted once, not once per device).
    let subjects: (pai: String, paa: String)

    static let mlDSA44: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11]
    static let mlDSA65: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12]

    init(der: [UInt8], trust: PAATrustStore) {
        preCheckFailure = Self.signatureAlgorithmPreCheck(der)
        guard preCheckFailure == nil else {
            parseError = nil; facts = nil; formatViolations = []; paa = nil; chainViolations = []; subjects = ("", "")
            return
        }
        let parsed: ParsedCertificate
        do { parsed = try ParsedCertificate(der: der) } catch {
            parseError = "PAI: \(error)"; facts = nil; formatViolations = []; paa = nil; chainViolations = []; subjects = ("", "")
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
        subjects = ("\(parsed.subject)", paa.map { "\($0.certificate.subject)" } ?? "")
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

/// A bounded cache of `PAIContext` by the PAI's DER bytes, and of verified CDs.
public final class PAICache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [ByteKey: PAIContext] = [:]
    public let capacity: Int
    public init(capacity: Int = 1024) { self.capacity = capacity }

    /// CD envelopes whose signature verified → the key identifier read from them, the key (X9.63 bytes) that
    /// verified them, and their decoded content. A hit needs the same envelope bytes and, for the content, the
    /// same key: a trust store reloaded with another key under that identifier verifies again.
    private var cds: [ByteKey: (keyID: [UInt8], keyBytes: [UInt8], cd: DecodedCertificationDeclaration)] = [:]

    func cd(_ envelope: [UInt8]) -> (keyID: [UInt8], keyBytes: [UInt8], cd: DecodedCertificationDeclaration)? {
        let k = ByteKey(envelope)
        return lock.withLock { cds[k] }
    }

    func store(_ cd: DecodedCertificationDeclaration, envelope: [UInt8], keyID: [UInt8], keyBytes: [UInt8]) {
        let k = ByteKey(envelope)
        lock.withLock {
            if cds.count >= capacity { cds.removeAll(keepingCapacity: true) }
            cds[k] = (keyID, keyBytes, cd)
        }
    }

    func context(for der: [UInt8], trust: PAATrustStore) -> PAIContext {
        let k = ByteKey(der)
        if let c = lock.withLock({ entries[k] }) { return c }
        let c = PAIContext(der: der, trust: trust)
        lock.withLock {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[k] = c
        }
        return c
    }
}

/// Bytes as a dictionary key, hashed as one buffer (`[UInt8]`'s own hashing feeds the hasher a byte at a time,
/// which costs more than the lookup it serves for a certificate-sized key).
struct ByteKey: Hashable, Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    static func == (a: ByteKey, b: ByteKey) -> Bool { a.bytes == b.bytes }
}

import Foundation
import MatterPKI

/// Where a verifier's trust comes from: a PAA directory, CD signing certificates, a revocation set, extra PAAs (the
/// authority's own, when the operator trusts them), and the optional DCL policy. The CLI builds one per run; the
/// server builds one at start and again on SIGHUP.
public struct VerifierConfiguration: Sendable {
    public var paaStore: URL?
    public var cdKeys: URL?
    public var revocationSet: URL?
    public var allowTestCDKey = true
    public var expectations: CDExpectations?
    public var extraPAAs: [(ParsedCertificate, String)] = []

    public init(paaStore: URL? = nil, cdKeys: URL? = nil, revocationSet: URL? = nil) {
        self.paaStore = paaStore; self.cdKeys = cdKeys; self.revocationSet = revocationSet
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    /// The verifier, and one line per trust file that was skipped (and why).
    public func make(cache: PAICache? = nil) throws -> (AttestationVerifier, skipped: [String]) {
        var skipped: [String] = []
        var paas = PAATrustStore(certificates: [])
        if let paaStore {
            do { paas = try PAATrustStore(directory: paaStore) } catch { throw Failure(description: "PAA store \(paaStore.path): cannot read the directory") }
        }
        for (c, source) in extraPAAs { paas.add(c, source: source) }
        skipped += paas.rejected.map { "PAA store: skipped \($0.source): \($0.reason)" }
        var keys = CDSigningKeyStore()
        if let cdKeys {
            do { keys = try CDSigningKeyStore(directory: cdKeys) } catch { throw Failure(description: "CD keys \(cdKeys.path): cannot read the directory") }
            skipped += keys.rejected.map { "CD keys: skipped \($0.source): \($0.reason)" }
        }
        keys.allowTestKey = allowTestCDKey
        var revocation: RevocationSet?
        if let revocationSet {
            guard let data = FileManager.default.contents(atPath: revocationSet.path) else { throw Failure(description: "revocation set \(revocationSet.path): cannot read") }
            do { revocation = try RevocationSet(json: data, source: revocationSet.path) } catch { throw Failure(description: "\(error)") }
        }
        return (AttestationVerifier(trust: TrustStores(paas: paas, cdKeys: keys), revocation: revocation, cdExpectations: expectations, cache: cache), skipped)
    }
}

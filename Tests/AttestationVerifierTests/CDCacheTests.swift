import Crypto
import Foundation
@testable import AttestationVerifier
import MatterPKI
import Testing

/// The cached verifier remembers a CD whose signature verified under a key, and nothing else: a CD with a broken
/// signature, or the same CD under another trust store's key, is judged afresh.
@Suite struct CDCacheTests {
    @Test func aCachedCDNeverMasksAFailure() throws {
        let f = try AttestationFixture()
        let cached = AttestationVerifier(trust: f.trust, cache: PAICache())
        let good = try f.signedCD()
        #expect(cached.verify(try f.input(elements: try f.elements(cd: good))).result == .success)
        #expect(cached.verify(try f.input(elements: try f.elements(cd: good))).result == .success, "from the cache")
        var bad = good
        bad[bad.count - 3] ^= 0x01   // inside the signature
        #expect(cached.verify(try f.input(elements: try f.elements(cd: bad))).result == .certificationDeclarationInvalidSignature)
        #expect(cached.verify(try f.input(elements: try f.elements(cd: good))).result == .success)
        // The same key ID bound to another key (a reloaded store): the cached verification does not carry over.
        var other = CDSigningKeyStore()
        other.add(keyID: f.cdKeyID, publicKey: P256.Signing.PrivateKey().publicKey, source: "another key")
        let cache = PAICache()
        _ = AttestationVerifier(trust: f.trust, cache: cache).verify(try f.input(elements: try f.elements(cd: good)))
        let swapped = AttestationVerifier(trust: TrustStores(paas: f.trust.paas, cdKeys: other), cache: cache)
        #expect(swapped.verify(try f.input(elements: try f.elements(cd: good))).result == .certificationDeclarationInvalidSignature)
    }
}

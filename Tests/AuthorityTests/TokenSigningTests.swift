import Authority
import CPKCS11
import Crypto
import Foundation
import Signing
import Testing
import TestSupport

/// In-process use of a real SoftHSM2 token through matter-ca's PKCS#11 layer. One token per test process
/// (Cryptoki is initialised once per process), so everything in-process lives in this suite.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing), .serialized) struct TokenSigningTests {
    static let fixture: (home: TestHome, authority: Authority, paa: String)? = {
        guard TestHome.softHSMAvailable, let home = try? TestHome(), let (paa, _) = try? home.ceremonies(),
              let a = try? Authority(home: AuthorityHome(root: home.root), pin: Array(home.pin.utf8), sessions: 8) else { return nil }
        return (home, a, paa)
    }()

    @Test func privateKeyValueIsRefusedAsSensitive() throws {
        let f = try #require(Self.fixture)
        let signer = try f.authority.signer(for: try f.authority.inventory.authority(f.paa, type: "paa"))
        #expect(throws: PKCS11Error(operation: "C_GetAttributeValue", rv: MCA_CKR_ATTRIBUTE_SENSITIVE)) {
            _ = try signer.privateKeyAttribute(MCA_CKA_VALUE)
        }
        #expect(try signer.privateKeyAttribute(MCA_CKA_SENSITIVE) == [1])
        #expect(try signer.privateKeyAttribute(MCA_CKA_EXTRACTABLE) == [0])
        #expect(try signer.privateKeyAttribute(MCA_CKA_NEVER_EXTRACTABLE) == [1])
        #expect(signer.keyDescription.contains("PKCS#11 token \"matter-ca\""))
    }

    @Test func thousandSignaturesFromEightTasksAreAllValid() async throws {
        let f = try #require(Self.fixture)
        let signer = try f.authority.signer(for: try f.authority.inventory.authority(f.paa, type: "paa"))
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var valid = 0
                    for i in 0..<125 {
                        let message = Array("task \(task) message \(i)".utf8)
                        let der = try signer.sign(digest: SHA256.hash(data: message))
                        let sig = try P256.Signing.ECDSASignature(derRepresentation: der)
                        if signer.publicKey.isValidSignature(sig, for: SHA256.hash(data: message)) { valid += 1 }
                    }
                    return valid
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(results == 1000)
    }
}

/// Signing that a server can call, and the one issue path, in the same process as the suite above (one token per
/// process).
extension TokenSigningTests {
    @Test func droppedSessionsAreReopenedAndLoggedInAgain() throws {
        let f = try #require(Self.fixture)
        let signer = try f.authority.signer(for: try f.authority.inventory.authority(f.paa, type: "paa"))
        f.authority.pool.dropSessionsForTesting()   // every session closed: the token logged the process out
        let message = Array("after the drop".utf8)
        let der = try signer.sign(digest: SHA256.hash(data: message))
        #expect(signer.publicKey.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: der), for: SHA256.hash(data: message)))
    }

    @Test func aBusyPoolTimesOutWithAPreciseError() throws {
        let f = try #require(Self.fixture)
        let pool = try SessionPool(module: f.authority.pool.module, tokenLabel: "matter-ca", pin: Array(f.home.pin.utf8), size: 1, waitTimeout: 0.3)
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { try? pool.withSession { _ in holding.signal(); release.wait() } }
        holding.wait()
        #expect(throws: SessionPoolError.timedOut(seconds: 0.3, sessions: 1)) { try pool.withSession { _ in } }
        release.signal()
    }
}

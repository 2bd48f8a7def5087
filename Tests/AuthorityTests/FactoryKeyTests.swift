@testable import Authority
import Crypto
import Foundation
import Testing

/// Factory keys drawn as scalars (no FIPS self-test per key): each one a valid P-256 key whose public key is its
/// own, none repeated, and the pairwise test that still guards every chunk refuses a key that does not sign for it.
@Suite struct FactoryKeyTests {
    @Test func generatedKeysAreDistinctAndEachSignsForItsOwnPublicKey() throws {
        let keys = try FactoryKeys.generate(300)
        #expect(keys.count == 300)
        #expect(Set(keys.map(\.rawRepresentation)).count == 300, "no scalar drawn twice")
        for key in keys {
            #expect(key.rawRepresentation.count == 32 && key.rawRepresentation.contains { $0 != 0 })
            // The public key is the scalar's: re-deriving it from the raw scalar gives the same point.
            #expect(try P256.Signing.PrivateKey(rawRepresentation: key.rawRepresentation).publicKey.x963Representation == key.publicKey.x963Representation)
            let message = Array(key.rawRepresentation.prefix(4))
            #expect(key.publicKey.isValidSignature(try key.signature(for: message), for: message))
            // And it round-trips through the PKCS#8 PEM a factory receives.
            #expect(try P256.Signing.PrivateKey(pemRepresentation: key.pemRepresentation).rawRepresentation == key.rawRepresentation)
        }
    }

    @Test func scalarsOutsideTheGroupAreRefusedSoTheyAreDrawnAgain() {
        // What the rejection loop relies on: zero and values at or above the group order are not keys.
        let order: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                              0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51]
        #expect((try? P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 32))) == nil)
        #expect((try? P256.Signing.PrivateKey(rawRepresentation: order)) == nil)
        #expect((try? P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0xFF, count: 32))) == nil)
        var belowOrder = order
        belowOrder[31] -= 1
        #expect((try? P256.Signing.PrivateKey(rawRepresentation: belowOrder)) != nil, "n - 1 is the largest key")
    }
}

import AttestationVerifier
import Crypto
import Foundation
import MatterPKI
import Testing

/// Truncated and bit-flipped TLV, CMS and DER: thousands of inputs, never a crash, and a failure code wherever the
/// bytes are covered by a signature.
@Suite struct FuzzRobustnessTests {
    static func mutate(_ b: [UInt8], _ rng: inout SystemRandomNumberGenerator) -> [UInt8] {
        var x = b
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: x = Array(x.prefix(Int.random(in: 0..<max(1, x.count), using: &rng)))
        case 1, 2:
            for _ in 0..<Int.random(in: 1...4, using: &rng) where !x.isEmpty {
                x[Int.random(in: 0..<x.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            }
        default:
            if !x.isEmpty { x.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0..<x.count, using: &rng)) }
        }
        return x == b ? Array(b.dropLast()) : x
    }

    @Test func signedPartsAlwaysFail() throws {
        let f = try AttestationFixture()
        let base = try f.input()
        let verifier = AttestationVerifier(trust: f.trust)
        var rng = SystemRandomNumberGenerator()
        var codes: [Int: Int] = [:]
        for i in 0..<3000 {
            var input = base
            switch i % 3 {
            case 0: input.dac = Self.mutate(base.dac, &rng)
            case 1: input.pai = Self.mutate(base.pai, &rng)
            default: input.attestationElements = Self.mutate(base.attestationElements, &rng)  // not re-signed
            }
            let v = verifier.verify(input)
            codes[v.code, default: 0] += 1
            #expect(!v.isSuccess, "mutation \(i) succeeded")
            #expect(!v.reason.isEmpty)
        }
        #expect(codes.count >= 6, "\(codes)")
    }

    @Test func resignedElementsAndEnvelopesNeverCrash() throws {
        let f = try AttestationFixture()
        let verifier = AttestationVerifier(trust: f.trust)
        let cms = try f.signedCD()
        var rng = SystemRandomNumberGenerator()
        var successes = 0
        for i in 0..<3000 {
            // The device signature is valid, so the TLV and CMS readers themselves are exercised.
            let elements = i % 2 == 0 ? Self.mutate(try f.elements(), &rng) : try f.elements(cd: Self.mutate(cms, &rng))
            let v = verifier.verify(try f.input(elements: elements, signature: f.sign(elements)))
            if v.isSuccess { successes += 1 }
        }
        // Some flips are harmless to the SDK as well (a constructed bit it does not read, bytes after the
        // structure, a timestamp value); they must stay rare.
        #expect(successes < 300, "\(successes) of 3000 mutated attestations still verified")
    }

    @Test func decodersThrowTypedErrors() {
        var rng = SystemRandomNumberGenerator()
        let cd = CertificationElements(vendorID: 0xFFF1, productIDs: [0x8000, 0x8001], deviceTypeID: 0x16, certificateID: "ZIG20142ZB330003-24",
                                       versionNumber: 1, certificationType: 0).encodeUnchecked()
        let elements = AttestationElements(certificationDeclaration: cd, attestationNonce: [UInt8](repeating: 1, count: 32)).encode()
        let cms = CMSEnvelope.sign(content: cd, keyID: [UInt8](repeating: 2, count: 20)) { _ in [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01] }
        for _ in 0..<5000 {
            do { _ = try TLVReader.decode(Self.mutate(cd, &rng)) } catch { _ = error.description }
            do { _ = try DecodedCertificationDeclaration(tlv: Self.mutate(cd, &rng)) } catch is DecodedCertificationDeclaration.Failure {} catch {
                Issue.record("untyped CD error \(error)")
            }
            do { _ = try AttestationElements(deconstructing: Self.mutate(elements, &rng)) } catch is AttestationElements.Failure {} catch {
                Issue.record("untyped elements error \(error)")
            }
            do { _ = try CMSEnvelope.keyID(Self.mutate(cms, &rng)) } catch is CMSEnvelope.Failure {} catch { Issue.record("untyped CMS error \(error)") }
        }
    }
}

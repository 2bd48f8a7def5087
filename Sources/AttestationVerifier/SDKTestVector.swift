import Crypto
import Foundation
import MatterPKI

/// The SDK's `test_case_vector.json` (credentials/development/commissioner_dut), and the device side built from it
/// the way the SDK's commissioner harness does: elements {CD, fresh nonce, timestamp 0} signed with the vector's
/// DAC key over elements ‖ challenge; Basic Information VID 0xFFF1 and PID `basic_info_pid` (else the DAC's PID).
public struct SDKTestVector: Decodable, Sendable {
    public let description: String
    public let is_success_case: String?
    public let basic_info_pid: Int?
    public let dac_cert: String
    public let pai_cert: String
    public let certification_declaration: String
    public let dac_private_key: String

    public struct Invalid: Error, CustomStringConvertible { public let description: String }

    public init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw Invalid(description: "\(path): cannot read: \(error.localizedDescription)") }
        do { self = try JSONDecoder().decode(SDKTestVector.self, from: data) } catch {
            throw Invalid(description: "\(path): not a Matter test_case_vector.json: \(error)")
        }
    }

    public func attestationInput(nonce: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) },
                                 challenge: [UInt8] = (0..<16).map { _ in UInt8.random(in: 0...255) }) throws -> AttestationInput {
        guard let cd = [UInt8](hex: certification_declaration), let dac = [UInt8](hex: dac_cert), let pai = [UInt8](hex: pai_cert),
              let scalar = [UInt8](hex: dac_private_key) else { throw Invalid(description: "vector fields are not hex") }
        let key: P256.Signing.PrivateKey
        do { key = try P256.Signing.PrivateKey(rawRepresentation: scalar) } catch { throw Invalid(description: "dac_private_key is not a P-256 scalar") }
        let elements = AttestationElements(certificationDeclaration: cd, attestationNonce: nonce, timestamp: 0).encode()
        let signature = try key.signature(for: SHA256.hash(data: elements + challenge)).rawRepresentation
        let pid: UInt16
        if let p = basic_info_pid { pid = UInt16(truncatingIfNeeded: p) }
        else { pid = ((try? ParsedCertificate(der: dac))?.subject).flatMap { try? MatterVIDPID.extract(from: $0).pid?.rawValue } ?? 0x8000 }
        return AttestationInput(attestationElements: elements, attestationChallenge: challenge, attestationSignature: Array(signature),
                                pai: pai, dac: dac, attestationNonce: nonce, vendorID: 0xFFF1, productID: pid)
    }
}

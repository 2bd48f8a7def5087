import AttestationVerifier
import Foundation
import Hummingbird
import Logging
import Metrics
import MatterPKI

/// `POST /v1/verify`: the attestation procedure for utility bridges, over trust configured at start and reloaded on
/// SIGHUP (requests in flight keep the verifier they started with).
final class VerifyService: @unchecked Sendable {
    private let lock = NSLock()
    private var verifier: AttestationVerifier
    private let configure: @Sendable () throws -> (AttestationVerifier, [String])
    let logger: Logger

    init(logger: Logger, configure: @escaping @Sendable () throws -> (AttestationVerifier, [String])) throws {
        self.configure = configure
        self.logger = logger
        let (v, skipped) = try configure()
        verifier = v
        for line in skipped { logger.warning("\(line)") }
    }

    /// Builds the trust stores again; on failure the previous ones stay.
    func reload() {
        do {
            let (v, skipped) = try configure()
            lock.withLock { verifier = v }
            for line in skipped { logger.warning("\(line)") }
            logger.info("trust stores reloaded")
        } catch { logger.error("trust stores not reloaded: \(error)") }
    }

    var current: AttestationVerifier { lock.withLock { verifier } }

    struct Input: Decodable, Equatable {
        let dac, pai, attestationElements, attestationSignature, attestationNonce, attestationChallenge: String
        let cd: String?
        let vendorId, productId: String

        enum CodingKeys: String, CodingKey { case dac, pai, attestationElements, attestationSignature, attestationNonce, attestationChallenge, cd, vendorId, productId }
        /// The plain case straight from the bytes (FlatJSON); nil for JSONDecoder to read (and refuse) the rest.
        init?(flat bytes: [UInt8]) {
            guard let f = FlatJSON.strings(bytes), let dac = f["dac"], let pai = f["pai"], let elements = f["attestationElements"],
                  let signature = f["attestationSignature"], let nonce = f["attestationNonce"], let challenge = f["attestationChallenge"],
                  let vid = f["vendorId"], let pid = f["productId"] else { return nil }
            self.dac = dac; self.pai = pai; attestationElements = elements; attestationSignature = signature
            attestationNonce = nonce; attestationChallenge = challenge; vendorId = vid; productId = pid; cd = f["cd"]
        }

        static func read(_ bytes: [UInt8]) throws -> Input {
            if let input = Input(flat: bytes) { return input }
            return try JSONDecoder().decode(Input.self, from: Data(bytes))
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            dac = try c.decode(String.self, forKey: .dac); pai = try c.decode(String.self, forKey: .pai)
            attestationElements = try c.decode(String.self, forKey: .attestationElements)
            attestationSignature = try c.decode(String.self, forKey: .attestationSignature)
            attestationNonce = try c.decode(String.self, forKey: .attestationNonce)
            attestationChallenge = try c.decode(String.self, forKey: .attestationChallenge)
            vendorId = try c.decode(String.self, forKey: .vendorId); productId = try c.decode(String.self, forKey: .productId)
            // Optional means absent, not null.
            cd = c.contains(.cd) ? try c.decode(String.self, forKey: .cd) : nil
        }
    }

    func handle(_ bytes: [UInt8]) throws -> AttestationVerdict {
        let input: Input
        do { input = try Input.read(bytes) } catch {
            throw Problem.badRequest("bad-json", "the body is not a verification request: \(Self.describe(error))")
        }
        func b64(_ s: String, _ field: String) throws -> [UInt8] {
            // An empty field is a value (the verifier answers it with the SDK's code), not malformed input.
            guard let d = Data(base64Encoded: s) else {
                throw Problem.badRequest("bad-base64", "\(field) is not base64")
            }
            return Array(d)
        }
        func id(_ s: String, _ field: String) throws -> UInt16 {
            guard let v = VendorID(hex: s) else { throw Problem.badRequest("bad-id", "\(field) \"\(s)\" is not a 16-bit hex value") }
            return v.rawValue
        }
        let elements = try b64(input.attestationElements, "attestationElements")
        if let cd = input.cd {
            let cdBytes = try b64(cd, "cd")
            if let e = try? AttestationElements(deconstructing: elements), e.certificationDeclaration != cdBytes {
                throw Problem.badRequest("cd-mismatch", "cd is not the Certification Declaration inside attestationElements")
            }
        }
        let attestation = AttestationInput(attestationElements: elements, attestationChallenge: try b64(input.attestationChallenge, "attestationChallenge"),
                                           attestationSignature: try b64(input.attestationSignature, "attestationSignature"),
                                           pai: try b64(input.pai, "pai"), dac: try b64(input.dac, "dac"),
                                           attestationNonce: try b64(input.attestationNonce, "attestationNonce"),
                                           vendorID: try id(input.vendorId, "vendorId"), productID: try id(input.productId, "productId"))
        let verdict = current.verify(attestation)
        Counters.increment("matter_ca_verifications_total", [("code", String(verdict.code))])
        return verdict
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let k, _): return "missing field \"\(k.stringValue)\""
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "field \"\(c.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        case DecodingError.dataCorrupted: return "malformed JSON"
        default: return "malformed JSON"
        }
    }
}

/// The outcome of one attestation: the SDK's result code and a reason that names the certificate, the field and
/// the values involved.
public struct AttestationVerdict: Sendable, Codable, CustomStringConvertible {
    public let result: AttestationVerificationResult
    public let reason: String

    public init(_ result: AttestationVerificationResult, _ reason: String) { self.result = result; self.reason = reason }
    public var isSuccess: Bool { result == .success }
    public var code: Int { result.rawValue }
    public var description: String { "\(result.rawValue) \(result.name): \(reason)" }

    enum CodingKeys: String, CodingKey { case code, result, reason }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(result.rawValue, forKey: .code)
        try c.encode(result.name, forKey: .result)
        try c.encode(reason, forKey: .reason)
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        result = AttestationVerificationResult(rawValue: try c.decode(Int.self, forKey: .code)) ?? .internalError
        reason = try c.decode(String.self, forKey: .reason)
    }
}

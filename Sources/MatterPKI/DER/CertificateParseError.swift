/// Why bytes are not a certificate, naming the field where parsing stopped.
public struct CertificateParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String
    public let reason: String
    public init(_ field: String, _ reason: String) { self.field = field; self.reason = reason }
    public var description: String { "malformed certificate at \(field): \(reason)" }
}

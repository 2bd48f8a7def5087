/// Certificate serial numbers: random, positive, at most 20 octets, first octet 0x01–0x7F so that OpenSSL- and
/// mbedTLS-based readers agree on the value (matter-revocation.md §3).
public enum SerialNumber {
    public static let allowedLengths = 8...20

    public static func random<R: RandomNumberGenerator>(length: Int, using rng: inout R) -> [UInt8] {
        precondition(allowedLengths.contains(length), "serial length \(length) outside \(allowedLengths)")
        var bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        bytes[0] = UInt8.random(in: 0x01...0x7F, using: &rng)
        return bytes
    }

    /// From the system CSPRNG, 8 bytes per call (one call per byte would be 16 system calls per serial).
    public static func random(length: Int) -> [UInt8] {
        precondition(allowedLengths.contains(length), "serial length \(length) outside \(allowedLengths)")
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        while bytes.count < length { withUnsafeBytes(of: rng.next()) { bytes += $0 } }
        bytes.removeLast(bytes.count - length)
        bytes[0] = 0x01 + bytes[0] % 0x7F
        return bytes
    }
}

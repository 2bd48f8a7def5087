/// Matter TLV (Matter Core spec Appendix A), the subset attestation uses. Decoding is strict: every malformed
/// input is a `TLVError`, never a crash.
public enum TLVTag: Hashable, Sendable, CustomStringConvertible {
    case anonymous
    case context(UInt8)
    case commonProfile(UInt32)
    case implicitProfile(UInt32)
    case fullyQualified(vendor: UInt16, profile: UInt16, tag: UInt32)

    public var description: String {
        switch self {
        case .anonymous: return "anonymous"
        case .context(let t): return "context \(t)"
        case .commonProfile(let t): return "common-profile \(t)"
        case .implicitProfile(let t): return "implicit-profile \(t)"
        case .fullyQualified(let v, let p, let t): return "profile 0x\(String(v, radix: 16)):\(p):\(t)"
        }
    }
}

public indirect enum TLVValue: Hashable, Sendable {
    case signed(Int64)
    case unsigned(UInt64)
    case bool(Bool)
    case float(UInt32)
    case double(UInt64)
    /// UTF-8 string bytes, as found (validity is checked by the consumer that cares).
    case utf8([UInt8])
    case bytes([UInt8])
    case null
    case structure([TLVElement])
    case array([TLVElement])
    case list([TLVElement])
}

public struct TLVElement: Hashable, Sendable {
    public var tag: TLVTag
    public var value: TLVValue
    /// For integers and lengths: the width in bytes the element was encoded with (1, 2, 4 or 8); 0 otherwise.
    public var encodedWidth: Int

    public init(_ tag: TLVTag, _ value: TLVValue, encodedWidth: Int = 0) {
        self.tag = tag; self.value = value; self.encodedWidth = encodedWidth
    }

    public var members: [TLVElement]? {
        switch value {
        case .structure(let m), .array(let m), .list(let m): return m
        default: return nil
        }
    }
    public var unsigned: UInt64? { if case .unsigned(let v) = value { return v }; return nil }
    public var bytes: [UInt8]? { if case .bytes(let b) = value { return b }; return nil }
    public var utf8: [UInt8]? { if case .utf8(let b) = value { return b }; return nil }
}

public struct TLVError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public init(offset: Int, _ reason: String) { self.offset = offset; self.reason = reason }
    public var description: String { "malformed TLV at byte \(offset): \(reason)" }
}

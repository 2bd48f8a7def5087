/// Decodes Matter TLV.
public struct TLVReader {
    public static let maximumDepth = 16

    /// Exactly one element filling `bytes` (trailing bytes are an error).
    public static func decode(_ bytes: [UInt8]) throws(TLVError) -> TLVElement {
        var r = TLVReader(bytes: bytes)
        guard let e = try r.next(depth: 0) else { throw TLVError(offset: r.offset, "end-of-container outside a container") }
        guard r.offset == bytes.count else { throw TLVError(offset: r.offset, "\(bytes.count - r.offset) trailing bytes") }
        return e
    }

    let bytes: [UInt8]
    var offset = 0

    mutating func take(_ n: Int) throws(TLVError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - offset else { throw TLVError(offset: offset, "needs \(n) bytes, \(bytes.count - offset) left") }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func le(_ n: Int) throws(TLVError) -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    /// The next element, or nil at an end-of-container marker.
    mutating func next(depth: Int) throws(TLVError) -> TLVElement? {
        let start = offset
        let control = try take(1).first!
        let type = control & 0x1F
        let tagControl = control >> 5
        if type == 0x18 {
            guard tagControl == 0 else { throw TLVError(offset: start, "end-of-container with a tag") }
            return nil
        }
        let tag: TLVTag
        switch tagControl {
        case 0: tag = .anonymous
        case 1: tag = .context(UInt8(try le(1)))
        case 2: tag = .commonProfile(UInt32(try le(2)))
        case 3: tag = .commonProfile(UInt32(try le(4)))
        case 4: tag = .implicitProfile(UInt32(try le(2)))
        case 5: tag = .implicitProfile(UInt32(try le(4)))
        case 6: tag = .fullyQualified(vendor: UInt16(try le(2)), profile: UInt16(try le(2)), tag: UInt32(try le(2)))
        default: tag = .fullyQualified(vendor: UInt16(try le(2)), profile: UInt16(try le(2)), tag: UInt32(try le(4)))
        }
        let widths = [1, 2, 4, 8]
        switch type {
        case 0x00...0x03:
            let w = widths[Int(type)]
            let raw = try le(w)
            let shift = UInt64(64 - 8 * w)
            return TLVElement(tag, .signed(Int64(bitPattern: raw << shift) >> Int64(shift)), encodedWidth: w)
        case 0x04...0x07:
            let w = widths[Int(type - 4)]
            return TLVElement(tag, .unsigned(try le(w)), encodedWidth: w)
        case 0x08, 0x09: return TLVElement(tag, .bool(type == 0x09))
        case 0x0A: return TLVElement(tag, .float(UInt32(try le(4))), encodedWidth: 4)
        case 0x0B: return TLVElement(tag, .double(try le(8)), encodedWidth: 8)
        case 0x0C...0x13:
            let isString = type <= 0x0F
            let w = widths[Int(isString ? type - 0x0C : type - 0x10)]
            let length = try le(w)
            guard length <= UInt64(bytes.count - offset) else { throw TLVError(offset: start, "length \(length) runs past the end") }
            let body = Array(try take(Int(length)))
            return TLVElement(tag, isString ? .utf8(body) : .bytes(body), encodedWidth: w)
        case 0x14: return TLVElement(tag, .null)
        case 0x15, 0x16, 0x17:
            guard depth < Self.maximumDepth else { throw TLVError(offset: start, "containers nested deeper than \(Self.maximumDepth)") }
            var members: [TLVElement] = []
            while true {
                guard offset < bytes.count else { throw TLVError(offset: offset, "container not closed") }
                guard let m = try next(depth: depth + 1) else { break }
                if type == 0x16, m.tag != .anonymous { throw TLVError(offset: start, "array member with a tag") }
                members.append(m)
            }
            return TLVElement(tag, type == 0x15 ? .structure(members) : type == 0x16 ? .array(members) : .list(members))
        default:
            throw TLVError(offset: start, "reserved element type 0x\(String(type, radix: 16))")
        }
    }
}

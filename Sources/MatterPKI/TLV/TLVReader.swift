/// Decodes Matter TLV with the element rules of the SDK's `TLVReader::VerifyElement`: no context tag at top
/// level, no anonymous member in a structure, no tagged member in an array, no implicit-profile tags, no
/// reserved element types.
public struct TLVReader {
    public static let maximumDepth = 16

    /// Exactly one element filling `bytes`: trailing bytes and unclosed containers are errors.
    public static func decode(_ bytes: [UInt8]) throws(TLVError) -> TLVElement {
        let (e, end) = try decodeFirst(bytes, allowUnterminatedAtEnd: false)
        guard end == bytes.count else { throw TLVError(offset: end, "\(bytes.count - end) trailing bytes") }
        return e
    }

    /// The first element of `bytes` and where it ends; what follows is not read. With
    /// `allowUnterminatedAtEnd`, containers still open when the buffer ends cleanly count as closed — how the
    /// SDK's `Next()` loop reads attestation elements.
    public static func decodeFirst(_ bytes: [UInt8], allowUnterminatedAtEnd: Bool) throws(TLVError) -> (TLVElement, Int) {
        var r = TLVReader(bytes: bytes, lenientEnd: allowUnterminatedAtEnd)
        guard !bytes.isEmpty else { throw TLVError(offset: 0, "empty input") }
        guard let e = try r.next(depth: 0, parent: nil) else { throw TLVError(offset: 0, "end-of-container outside a container") }
        return (e, r.offset)
    }

    let bytes: [UInt8]
    let lenientEnd: Bool
    var offset = 0

    init(bytes: [UInt8], lenientEnd: Bool = false) {
        self.bytes = bytes
        self.lenientEnd = lenientEnd
    }

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

    enum Parent { case structure, array, list }

    /// The next element, or nil at an end-of-container marker.
    mutating func next(depth: Int, parent: Parent?) throws(TLVError) -> TLVElement? {
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
        case 4, 5: throw TLVError(offset: start, "implicit-profile tag (no implicit profile is defined)")
        default:
            let vendor = UInt16(try le(2)), profile = UInt16(try le(2))
            let number = UInt32(try le(tagControl == 6 ? 2 : 4))
            // The SDK's special profile 0xFFFFFFFF: numbers 0–255 are context tags, 256 anonymous, 257 unknown.
            if vendor == 0xFFFF && profile == 0xFFFF && number <= 257 {
                guard number != 257 else { throw TLVError(offset: start, "unknown implicit tag") }
                tag = number == 256 ? .anonymous : .context(UInt8(number))
            } else {
                tag = .fullyQualified(vendor: vendor, profile: profile, tag: number)
            }
        }
        switch (parent, tag) {
        case (nil, .context): throw TLVError(offset: start, "context tag at top level")
        case (.structure?, .anonymous): throw TLVError(offset: start, "anonymous member in a structure")
        case (.array?, let t) where t != .anonymous: throw TLVError(offset: start, "array member with a tag")
        default: break
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
            let kind: Parent = type == 0x15 ? .structure : type == 0x16 ? .array : .list
            while true {
                guard offset < bytes.count else {
                    if lenientEnd { break }
                    throw TLVError(offset: offset, "container not closed")
                }
                guard let m = try next(depth: depth + 1, parent: kind) else { break }
                members.append(m)
            }
            return TLVElement(tag, type == 0x15 ? .structure(members) : type == 0x16 ? .array(members) : .list(members))
        default:
            throw TLVError(offset: start, "reserved element type 0x\(String(type, radix: 16))")
        }
    }
}

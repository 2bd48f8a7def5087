/// Encodes Matter TLV; integers use the smallest width that holds them (as the SDK writer does).
public enum TLVWriter {
    public static func encode(_ e: TLVElement) -> [UInt8] {
        var out: [UInt8] = []
        write(e, into: &out)
        return out
    }

    static func le(_ v: UInt64, _ n: Int, into out: inout [UInt8]) {
        for i in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    static func tagBytes(_ tag: TLVTag) -> (control: UInt8, bytes: [UInt8]) {
        var b: [UInt8] = []
        switch tag {
        case .anonymous: return (0, [])
        case .context(let t): return (1 << 5, [t])
        case .commonProfile(let t):
            if t <= 0xFFFF { le(UInt64(t), 2, into: &b); return (2 << 5, b) }
            le(UInt64(t), 4, into: &b); return (3 << 5, b)
        case .implicitProfile(let t):
            if t <= 0xFFFF { le(UInt64(t), 2, into: &b); return (4 << 5, b) }
            le(UInt64(t), 4, into: &b); return (5 << 5, b)
        case .fullyQualified(let v, let p, let t):
            le(UInt64(v), 2, into: &b); le(UInt64(p), 2, into: &b)
            if t <= 0xFFFF { le(UInt64(t), 2, into: &b); return (6 << 5, b) }
            le(UInt64(t), 4, into: &b); return (7 << 5, b)
        }
    }

    static func width(_ v: UInt64) -> (index: UInt8, bytes: Int) {
        v <= 0xFF ? (0, 1) : v <= 0xFFFF ? (1, 2) : v <= 0xFFFF_FFFF ? (2, 4) : (3, 8)
    }

    static func write(_ e: TLVElement, into out: inout [UInt8]) {
        let (tagControl, tagBytes) = tagBytes(e.tag)
        func head(_ type: UInt8) { out.append(tagControl | type); out += tagBytes }
        switch e.value {
        case .signed(let v):
            let w: (UInt8, Int) = Int64(Int8.min)...Int64(Int8.max) ~= v ? (0, 1) : Int64(Int16.min)...Int64(Int16.max) ~= v ? (1, 2)
                : Int64(Int32.min)...Int64(Int32.max) ~= v ? (2, 4) : (3, 8)
            head(w.0); le(UInt64(bitPattern: v), w.1, into: &out)
        case .unsigned(let v):
            let w = e.encodedWidth > 0 ? (UInt8([1, 2, 4, 8].firstIndex(of: e.encodedWidth)!), e.encodedWidth) : width(v)
            head(0x04 + w.0); le(v, w.1, into: &out)
        case .bool(let b): head(b ? 0x09 : 0x08)
        case .float(let f): head(0x0A); le(UInt64(f), 4, into: &out)
        case .double(let d): head(0x0B); le(d, 8, into: &out)
        case .utf8(let s): let w = width(UInt64(s.count)); head(0x0C + w.index); le(UInt64(s.count), w.bytes, into: &out); out += s
        case .bytes(let s): let w = width(UInt64(s.count)); head(0x10 + w.index); le(UInt64(s.count), w.bytes, into: &out); out += s
        case .null: head(0x14)
        case .structure(let m), .array(let m), .list(let m):
            if case .structure = e.value { head(0x15) } else if case .array = e.value { head(0x16) } else { head(0x17) }
            for x in m { write(x, into: &out) }
            out.append(0x18)
        }
    }
}

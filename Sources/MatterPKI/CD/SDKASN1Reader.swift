/// A BER reader with the leniency of the Matter SDK's `chip::ASN1::ASN1Reader`, used only where matter-ca
/// must reach the SDK's verdict on CMS envelopes it did not make (CertificationDeclaration.cpp):
/// non-minimal lengths are accepted, the constructed bit is not checked when an element is only read, an
/// element must be constructed to be entered, a container must hold nothing after its last expected element,
/// and bytes after the outermost element are never looked at. Indefinite lengths and multi-byte tags fail.
struct SDKASN1Reader {
    struct Failure: Error { let reason: String }

    struct Element {
        let tagClass: UInt8     // 0x00 universal, 0x40 application, 0x80 context, 0xC0 private
        let constructed: Bool
        let tag: UInt8
        let value: Range<Int>
    }

    /// A container being read: the next position and the end.
    struct Container {
        var position: Int
        let end: Int
    }

    let bytes: [UInt8]

    /// The whole input as a container (its first element is the outermost one).
    var top: Container { Container(position: 0, end: bytes.count) }

    func head(at position: Int, end: Int) throws -> (Element, next: Int) {
        var p = position
        func byte() throws -> UInt8 {
            guard p < end else { throw Failure(reason: "truncated element at \(position)") }
            defer { p += 1 }
            return bytes[p]
        }
        let id = try byte()
        guard id & 0x1F != 0x1F else { throw Failure(reason: "multi-byte tag") }
        let first = try byte()
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            guard first != 0x80 else { throw Failure(reason: "indefinite length") }
            for _ in 0..<Int(first & 0x7F) {
                length = length << 8 | Int(try byte())
                guard length <= Int(UInt32.max) else { throw Failure(reason: "length over 32 bits") }
            }
        }
        guard length <= end - p else { throw Failure(reason: "element at \(position) overruns its container") }
        return (Element(tagClass: id & 0xC0, constructed: id & 0x20 != 0, tag: id & 0x1F, value: p..<(p + length)), p + length)
    }

    /// The next element of `c`, or nil at its end.
    func next(_ c: inout Container) throws -> Element? {
        guard c.position < c.end else { return nil }
        let (e, n) = try head(at: c.position, end: c.end)
        c.position = n
        return e
    }

    /// `ASN1_PARSE_ELEMENT`: the next element must have this class and tag number (constructed bit ignored).
    func element(_ c: inout Container, tagClass: UInt8 = 0, tag: UInt8) throws -> Element {
        guard let e = try next(&c) else { throw Failure(reason: "missing element (tag \(tag))") }
        guard e.tagClass == tagClass, e.tag == tag else { throw Failure(reason: "expected tag \(tag), found \(e.tag)") }
        return e
    }

    /// `ASN1_PARSE_ANY`.
    func any(_ c: inout Container) throws -> Element {
        guard let e = try next(&c) else { throw Failure(reason: "missing element") }
        return e
    }

    /// `ASN1_PARSE_ENTER_*`: as `element`, and the element must be constructed.
    func enter(_ c: inout Container, tagClass: UInt8 = 0, tag: UInt8) throws -> Container {
        let e = try element(&c, tagClass: tagClass, tag: tag)
        guard e.constructed else { throw Failure(reason: "tag \(tag) is not constructed") }
        return Container(position: e.value.lowerBound, end: e.value.upperBound)
    }

    /// `ASN1_EXIT_*`: nothing may follow the last element read.
    func exit(_ c: Container) throws {
        guard c.position == c.end else { throw Failure(reason: "unexpected element after the last expected one") }
    }

    /// `GetInteger`: 1–8 octets, sign-extended, minimality not required.
    func integer(_ e: Element) throws -> Int64 {
        guard (1...8).contains(e.value.count) else { throw Failure(reason: "INTEGER of \(e.value.count) octets") }
        var v: Int64 = bytes[e.value.lowerBound] & 0x80 != 0 ? -1 : 0
        for b in bytes[e.value] { v = v << 8 | Int64(b) }
        return v
    }

    func value(_ e: Element) -> [UInt8] { Array(bytes[e.value]) }
}

/// `EcdsaAsn1SignatureToRaw(32, der, raw)` (CHIPCryptoPAL.cpp): DER Ecdsa-Sig-Value to r‖s, with the SDK's exact
/// acceptance (zero-length or 33-byte integers with a 0x00 pad, trailing bytes inside the SEQUENCE ignored).
func ecdsaDERToRaw(_ der: [UInt8]) -> [UInt8]? {
    guard der.count > 3, der[0] == 0x30 else { return nil }
    var p = 1
    func length() -> Int? {
        guard p < der.count else { return nil }
        let first = der[p]; p += 1
        if first < 0x80 { return Int(first) }
        let n = Int(first & 0x7F)
        guard (1...8).contains(n), p + n <= der.count, der[p] != 0 else { return nil }
        var v = 0
        for i in 0..<n { v = v << 8 | Int(der[p + i]) }
        p += n
        if n == 1 && v < 128 { return nil }
        return v
    }
    guard let seqLength = length(), seqLength == der.count - p else { return nil }
    var raw: [UInt8] = []
    for _ in 0..<2 {
        guard p < der.count, der[p] == 0x02 else { return nil }
        p += 1
        guard let n = length(), n <= 33, p + n <= der.count else { return nil }
        var v = Array(der[p..<(p + n)])
        p += n
        if n == 33 {
            guard v[0] == 0 else { return nil }
            v.removeFirst()
        }
        raw += [UInt8](repeating: 0, count: 32 - v.count) + v
    }
    return raw
}

public enum SDKCertificatePeek {
    /// The outer signatureAlgorithm OID (value bytes) read the way the SDK's `GetPaaCertificateAllocationSize`
    /// reads it before any other check; nil when the structure up to it does not read.
    public static func signatureAlgorithmOID(_ der: [UInt8]) -> [UInt8]? {
        let r = SDKASN1Reader(bytes: der)
        var top = r.top
        guard var cert = try? r.enter(&top, tag: 0x10), (try? r.element(&cert, tag: 0x10)) != nil,
              var alg = try? r.enter(&cert, tag: 0x10), let oid = try? r.element(&alg, tag: 0x06) else { return nil }
        return r.value(oid)
    }
    public static let ecdsaWithSHA256: [UInt8] = CMSEnvelope.ecdsaWithSHA256
}

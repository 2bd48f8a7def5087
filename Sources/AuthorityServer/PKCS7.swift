import Foundation

/// The DER an EST server answers with (RFC 7030 §4.1.3, §4.5.2): a certs-only CMS SignedData (no content, no
/// signers) and the CsrAttrs that name what a request must use.
enum PKCS7 {
    static func tlv(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] {
        var out = [tag]
        let n = body.count
        if n < 0x80 { out.append(UInt8(n)) } else {
            var len: [UInt8] = []
            var v = n
            while v > 0 { len.insert(UInt8(v & 0xFF), at: 0); v >>= 8 }
            out.append(0x80 | UInt8(len.count))
            out += len
        }
        return out + body
    }

    static func oid(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").compactMap { UInt64($0) }
        var body: [UInt8] = [UInt8(arcs[0] * 40 + arcs[1])]
        for arc in arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(arc & 0x7F)]
            var v = arc >> 7
            while v > 0 { chunk.insert(UInt8(v & 0x7F) | 0x80, at: 0); v >>= 7 }
            body += chunk
        }
        return tlv(0x06, body)
    }

    /// ContentInfo { signedData, SignedData { v1, {}, { data }, certificates [0] { … }, {} } }.
    static func certsOnly(_ certificates: [[UInt8]]) -> [UInt8] {
        let signedData = tlv(0x30, tlv(0x02, [1]) + tlv(0x31, []) + tlv(0x30, oid("1.2.840.113549.1.7.1"))
                                   + tlv(0xA0, certificates.flatMap { $0 }) + tlv(0x31, []))
        return tlv(0x30, oid("1.2.840.113549.1.7.2") + tlv(0xA0, signedData))
    }

    /// CsrAttrs: sign with ecdsa-with-SHA256, and an EC key on P-256 (RFC 7030 §4.5.2's own example shape).
    static let csrAttributes: [UInt8] = tlv(0x30, oid("1.2.840.10045.4.3.2")
                                               + tlv(0x30, oid("1.2.840.10045.2.1") + tlv(0x31, oid("1.2.840.10045.3.1.7"))))

    /// Base64 in one line: RFC 7030 does not wrap, and strongSwan's EST client does not unwrap.
    static func base64(_ der: [UInt8]) -> String { Data(der).base64EncodedString() }
}

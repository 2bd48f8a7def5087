import SwiftASN1

/// The well-formed case of `ParsedCertificate(der:)` read straight from the bytes, without swift-asn1's node tree:
/// building and walking that tree (reference counting, mostly) was 8 µs of a 122 µs cached attestation
/// verification, more than anything but the two signature checks (perf, `matter-ca-bench 0.2 verify-profile`).
///
/// It accepts only strict DER in the shapes certificates have (definite minimal lengths, low tag numbers, OIDs from
/// a fixed list, universal-string attribute values, times to the second) and returns nil on anything else: the
/// caller then parses with swift-asn1, so every refusal and its message come from that one path. What this reader
/// accepts, the swift-asn1 path accepts with equal fields (`FastCertificateReaderTests` holds it on every
/// certificate the tests have, and on four of them with every byte altered). The byte-level pieces it shares with
/// that path (`bitString(contents:)`, `smallInteger(contents:)`, `CertificateTime(bytes:generalized:)`) are the same
/// functions, not copies.
enum FastCertificateReader {
    static func parse(_ b: [UInt8]) -> ParsedCertificate? {
        guard let cert = element(b, 0, b.count), cert.tag == 0x30, cert.end == b.count,
              let tbs = element(b, cert.start, cert.end), tbs.tag == 0x30 else { return nil }
        var i = tbs.end
        guard let sigAlg = algorithm(b, &i, cert.end), let sig = element(b, i, cert.end), sig.tag == 0x03, sig.end == cert.end,
              let bits = try? bitString(contents: b[sig.start..<sig.end], ""), bits.unusedBits == 0, let fields = tbsFields(b, tbs) else { return nil }
        return ParsedCertificate(fields: fields, der: b, signatureAlgorithm: sigAlg, signature: bits.bytes)
    }

    /// An element: its first byte (`from`), its tag, and its content range.
    typealias Element = (from: Int, tag: UInt8, start: Int, end: Int)

    /// The element at `i`, when its header is strict DER and it ends by `end`.
    static func element(_ b: [UInt8], _ i: Int, _ end: Int) -> Element? {
        guard i + 2 <= end else { return nil }
        let tag = b[i]
        guard tag & 0x1F != 0x1F else { return nil }   // high tag numbers: not in a certificate's shape
        var j = i + 2
        var length = Int(b[i + 1])
        if length >= 0x80 {
            let n = length & 0x7F
            // Long form: 1–3 octets, no leading zero, and only where the short form cannot say it (DER).
            guard n >= 1, n <= 3, j + n <= end, b[j] != 0 else { return nil }
            length = 0
            for _ in 0..<n { length = length << 8 | Int(b[j]); j += 1 }
            guard length >= 0x80 else { return nil }
        }
        guard length <= end - j else { return nil }
        return (i, tag, j, j + length)
    }

    static func tbsFields(_ b: [UInt8], _ tbs: Element) -> ParsedCertificate.Fields? {
        var i = tbs.start
        guard var first = element(b, i, tbs.end) else { return nil }
        var version = 0
        if first.tag == 0xA0 {
            guard let v = element(b, first.start, first.end), v.tag == 0x02, v.end == first.end, let n = try? smallInteger(contents: b[v.start..<v.end], ""),
                  let next = element(b, first.end, tbs.end) else { return nil }
            version = n
            first = next
        }
        guard first.tag == 0x02, first.end > first.start else { return nil }
        let serial = Array(b[first.start..<first.end])
        i = first.end
        guard let tbsAlg = algorithm(b, &i, tbs.end), let issuer = name(b, &i, tbs.end),
              let validity = element(b, i, tbs.end), validity.tag == 0x30,
              let nb = element(b, validity.start, validity.end), let notBefore = time(b, nb),
              let na = element(b, nb.end, validity.end), na.end == validity.end, let notAfter = time(b, na) else { return nil }
        i = validity.end
        guard let subject = name(b, &i, tbs.end), let spki = subjectPublicKey(b, &i, tbs.end) else { return nil }
        var extensions: [ParsedCertificate.Extension] = []
        if i < tbs.end {
            // Only the extensions [3] may follow (unique IDs and anything else: the swift-asn1 path decides).
            guard let wrapper = element(b, i, tbs.end), wrapper.tag == 0xA3, wrapper.end == tbs.end,
                  let list = element(b, wrapper.start, wrapper.end), list.tag == 0x30, list.end == wrapper.end, list.end > list.start else { return nil }
            var e = list.start
            while e < list.end {
                guard let ext = element(b, e, list.end), ext.tag == 0x30, let id = element(b, ext.start, ext.end), id.tag == 0x06,
                      let oid = knownOID(b[id.start..<id.end]), var value = element(b, id.end, ext.end) else { return nil }
                var critical = false
                if value.tag == 0x01 {
                    guard value.end - value.start == 1, let v = element(b, value.end, ext.end) else { return nil }
                    critical = b[value.start] != 0   // as OpenSSL reads a BOOLEAN (the swift-asn1 path does the same)
                    value = v
                }
                guard value.tag == 0x04, value.end == ext.end else { return nil }
                extensions.append(.init(oid: oid, critical: critical, value: Array(b[value.start..<value.end])))
                e = ext.end
            }
        }
        return .init(tbsBytes: Array(b[tbs.from..<tbs.end]), version: version, serialNumber: serial, tbsSignatureAlgorithm: tbsAlg,
                     issuer: issuer, notBefore: notBefore, notAfter: notAfter, subject: subject, publicKey: spki, extensions: extensions)
    }

    /// AlgorithmIdentifier: a known OID and at most one primitive parameter (NULL, a curve OID).
    static func algorithm(_ b: [UInt8], _ i: inout Int, _ end: Int) -> AlgorithmIdentifier? {
        guard let a = element(b, i, end), let parts = algorithmParts(b, a) else { return nil }
        i = a.end
        return AlgorithmIdentifier(oid: parts.oid, der: Array(b[a.from..<a.end]))
    }

    /// The OID and parameter of the AlgorithmIdentifier `a`: a SEQUENCE of a known OID and at most one primitive
    /// element (the signature's and the public key's alike).
    static func algorithmParts(_ b: [UInt8], _ a: Element) -> (oid: ASN1ObjectIdentifier, parameter: Element?)? {
        guard a.tag == 0x30, let id = element(b, a.start, a.end), id.tag == 0x06, let oid = knownOID(b[id.start..<id.end]) else { return nil }
        guard id.end < a.end else { return (oid, nil) }
        guard let p = element(b, id.end, a.end), p.end == a.end, p.tag & 0x20 == 0 else { return nil }
        return (oid, p)
    }

    static func name(_ b: [UInt8], _ i: inout Int, _ end: Int) -> Name? {
        guard let n = element(b, i, end), n.tag == 0x30 else { return nil }
        var rdns: [[Name.Attribute]] = []
        var r = n.start
        while r < n.end {
            guard let set = element(b, r, n.end), set.tag == 0x31, set.end > set.start else { return nil }
            var rdn: [Name.Attribute] = []
            var a = set.start
            while a < set.end {
                guard let pair = element(b, a, set.end), pair.tag == 0x30, let t = element(b, pair.start, pair.end), t.tag == 0x06,
                      let oid = knownOID(b[t.start..<t.end]), let v = element(b, t.end, pair.end), v.end == pair.end,
                      v.tag & 0xE0 == 0, v.tag != 0 else { return nil }   // a universal primitive value (strings, mostly)
                rdn.append(Name.Attribute(oid: oid, tag: ASN1Identifier(tagWithNumber: UInt(v.tag), tagClass: .universal), value: Array(b[v.start..<v.end])))
                a = pair.end
            }
            rdns.append(rdn)
            r = set.end
        }
        i = n.end
        return Name(der: Array(b[n.from..<n.end]), rdns: rdns)
    }

    static func subjectPublicKey(_ b: [UInt8], _ i: inout Int, _ end: Int) -> SubjectPublicKey? {
        guard let s = element(b, i, end), s.tag == 0x30, let alg = element(b, s.start, s.end), let parts = algorithmParts(b, alg) else { return nil }
        var curve: ASN1ObjectIdentifier?
        if let p = parts.parameter, p.tag == 0x06 { guard let c = knownOID(b[p.start..<p.end]) else { return nil }; curve = c }
        guard let key = element(b, alg.end, s.end), key.tag == 0x03, key.end == s.end, let bits = try? bitString(contents: b[key.start..<key.end], "") else { return nil }
        i = s.end
        return SubjectPublicKey(algorithm: parts.oid, namedCurve: curve, keyBytes: bits.bytes, unusedBits: bits.unusedBits,
                                der: Array(b[s.from..<s.end]))
    }

    /// UTCTime (1950–2049) or GeneralizedTime, to the second with a Z, as `CertificateTime(bytes:generalized:)` reads
    /// them, and only on a day its month has (as swift-asn1 checks; that reader takes any day up to 31, and a 30
    /// February would come out as 2 March). A leap second (60) is left to swift-asn1.
    static func time(_ b: [UInt8], _ e: Element) -> CertificateTime? {
        guard e.tag == 0x17 || e.tag == 0x18, let t = CertificateTime(bytes: b[e.start..<e.end], generalized: e.tag == 0x18) else { return nil }
        let d = e.start + (e.tag == 0x18 ? 6 : 4)   // the day's two digits, after the year and the month
        guard civil(t.secondsSince1970).day == Int64(b[d] - 48) * 10 + Int64(b[d + 1] - 48) else { return nil }
        return t
    }

    /// The OIDs certificates here carry, by their DER content octets (encoded by swift-asn1, so a match decodes to
    /// exactly this identifier). Any other OID sends the certificate to the swift-asn1 path.
    static func knownOID(_ content: ArraySlice<UInt8>) -> ASN1ObjectIdentifier? { knownOIDs[content] }

    static let knownOIDs: [ArraySlice<UInt8>: ASN1ObjectIdentifier] = {
        let oids: [ASN1ObjectIdentifier] = [
            OID.ecdsaWithSHA256, OID.ecdsaWithSHA1, OID.ecPublicKey, OID.prime256v1, OID.commonName, OID.matterVID, OID.matterPID,
            OID.basicConstraints, OID.keyUsage, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier, OID.extendedKeyUsage,
            OID.subjectAltName, OID.crlDistributionPoints, OID.authorityInfoAccess,
            [2, 5, 4, 6], [2, 5, 4, 7], [2, 5, 4, 8], [2, 5, 4, 10], [2, 5, 4, 11], [2, 5, 4, 5],   // C, L, ST, O, OU, serialNumber
            [1, 3, 6, 1, 4, 1, 37244, 1, 1], [1, 3, 6, 1, 4, 1, 37244, 1, 3], [1, 3, 6, 1, 4, 1, 37244, 1, 4],   // Matter op-cert names
            [1, 3, 6, 1, 4, 1, 37244, 2, 3], [1, 3, 6, 1, 4, 1, 37244, 2, 4],
        ]
        var table: [ArraySlice<UInt8>: ASN1ObjectIdentifier] = [:]
        for oid in oids {
            var s = DER.Serializer()
            try! s.serialize(oid)
            let der = s.serializedBytes
            table[der[2...]] = oid   // every one of these is shorter than 128 octets: a two-octet header
        }
        return table
    }()
}

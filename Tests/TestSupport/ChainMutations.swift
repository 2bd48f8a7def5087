import Crypto
import Foundation
import MatterPKI
import SwiftASN1

/// One change to an otherwise valid chain, named for the report.
public struct ChainMutation: Sendable {
    public let name: String
    public let apply: @Sendable (inout ForgedChain) -> Void
    public init(_ name: String, _ apply: @escaping @Sendable (inout ForgedChain) -> Void) { self.name = name; self.apply = apply }
}

/// The catalogue of single-point mutations used by the differential tests (matter-ca vs the SDK): every
/// extension's presence, criticality and content, key usage bits, path lengths, key identifiers, VID/PID
/// encodings and CN fallbacks, key curves, signature algorithms, validity dates, issuer names.
public enum ChainMutations {
    static let sha384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
    static let rsaSPKI = [UInt8](hex: "30820122300d06092a864886f70d01010105000382010f003082010a028201010086a182ea61f54b7186c443efb89b9c71a1accb543b1cb7de7fcc3dbb8c6706d39bc5bd362b30113ec70cb5e549f875b8f53381cd0c7f20fd048fee1654cb354bbb161919cb54480e818a829fbabd5a68daf8d92ee27f9a9c2ba801f837bee17505c2566874b4b3f542bd492f40e147a27c322c558c0c4b316bde42f21b66895867c1b0534fafcfab9e0ca7aa1f92c7c6a32e6084a5bde517f3bce4c26337c450d6e18720d398ff9a500647404ba43a837dae32d690d1259a58b32950d60a5a6e1a99b290ac508058ab4905a350dade80da1b702de67ab16754f6b26004b8d3400aa45708cb26f41c8edc68117514e24924be06d98ecbd1b61468a5c81b51b2a70203010001")!
    static let secp256k1SPKI = [UInt8](hex: "3056301006072a8648ce3d020106052b8104000a034200044a32e9ffaeb81cdc2e815421c2688d08ee86d732788472a10d7c658be7ecddb9e7c1b1f410bbb9f2675bdee1f7a1dc59d2d27e67c05e6c56bd18eaa978f40baa")!

    static func child(of t: CertificateType) -> CertificateType? { t == .paa ? .pai : t == .pai ? .dac : nil }

    /// Replaces a subject and keeps the chain linked (the child's issuer, and a PAA's own issuer, follow).
    public static func setSubject(_ c: inout ForgedChain, _ t: CertificateType, _ name: [UInt8]) {
        c[t].subject = name
        if t == .paa { c.paa.issuer = name }
        if let ch = child(of: t) { c[ch].issuer = name }
    }

    static func withExtension(_ c: inout ForgedChain, _ t: CertificateType, _ oid: ASN1ObjectIdentifier,
                              _ f: (inout ForgedCertificate.Ext) -> Void) {
        guard let i = c[t].index(of: oid) else { return }
        f(&c[t].extensions[i])
    }

    static func random(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255) } }

    public static func all() -> [ChainMutation] {
        var m: [ChainMutation] = [ChainMutation("none") { _ in }]
        let caKU = KeyUsageValue.keyCertSign | KeyUsageValue.cRLSign, dig = KeyUsageValue.digitalSignature
        for t in CertificateType.allCases {
            let p = t.rawValue
            // version and algorithms
            m.append(ChainMutation("\(p).version.v1") { $0[t].version = nil })
            m.append(ChainMutation("\(p).version.v2") { $0[t].version = DERWriter.context(0, DERWriter.integer(1)) })
            m.append(ChainMutation("\(p).sigalg.ecdsa-with-SHA1") {
                $0[t].tbsSignatureAlgorithm = DERWriter.seq(DERWriter.oid(OID.ecdsaWithSHA1))
                $0[t].signatureAlgorithm = $0[t].tbsSignatureAlgorithm
                $0[t].digest = .sha1
            })
            m.append(ChainMutation("\(p).sigalg.outer-sha384") { $0[t].signatureAlgorithm = DERWriter.seq(DERWriter.oid(sha384)) })
            m.append(ChainMutation("\(p).sigalg.inner-sha384") { $0[t].tbsSignatureAlgorithm = DERWriter.seq(DERWriter.oid(sha384)) })
            // keys
            m.append(ChainMutation("\(p).key.P-384") { $0[t].spki = Array(P384.Signing.PrivateKey().publicKey.derRepresentation) })
            m.append(ChainMutation("\(p).key.secp256k1") { $0[t].spki = secp256k1SPKI })
            m.append(ChainMutation("\(p).key.RSA-2048") { $0[t].spki = rsaSPKI })
            m.append(ChainMutation("\(p).key.P-256-compressed") { c in
                let key = t == .paa ? c.paaKey : t == .pai ? c.paiKey : c.dacKey
                c[t].spki = DERWriter.seq(DERWriter.seq(DERWriter.oid(OID.ecPublicKey), DERWriter.oid(OID.prime256v1)),
                                          DERWriter.bitString(Array(key.publicKey.compressedRepresentation)))
            })
            // presence, criticality, repetition and malformation of the profile's extensions
            for (oid, label) in [(OID.basicConstraints, "bc"), (OID.keyUsage, "ku"), (OID.subjectKeyIdentifier, "skid"), (OID.authorityKeyIdentifier, "akid")] {
                m.append(ChainMutation("\(p).\(label).missing") { $0[t].extensions.removeAll { $0.oid == oid } })
                m.append(ChainMutation("\(p).\(label).critical-flipped") { withExtension(&$0, t, oid) { $0.critical = $0.critical == true ? nil : true } })
                m.append(ChainMutation("\(p).\(label).critical-explicit-false") { withExtension(&$0, t, oid) { $0.critical = false } })
                m.append(ChainMutation("\(p).\(label).duplicated") { c in if let i = c[t].index(of: oid) { c[t].extensions.append(c[t].extensions[i]) } })
                m.append(ChainMutation("\(p).\(label).malformed") { withExtension(&$0, t, oid) { $0.value = [0x05, 0x00] } })
            }
            // basicConstraints contents
            for ca in [true, false, nil] as [Bool?] {
                for path in [nil, 0, 1, 2] as [Int?] {
                    m.append(ChainMutation("\(p).bc.ca=\(ca.map(String.init) ?? "absent").pathlen=\(path.map(String.init) ?? "absent")") {
                        withExtension(&$0, t, OID.basicConstraints) { $0.value = ForgedCertificate.basicConstraints(ca: ca, pathLen: path) }
                    })
                }
            }
            // keyUsage bits
            let kus: [(String, UInt32)] = [("digitalSignature", dig), ("keyCertSign+cRLSign", caKU), ("digitalSignature+keyCertSign+cRLSign", dig | caKU),
                ("digitalSignature+keyCertSign", dig | KeyUsageValue.keyCertSign), ("digitalSignature+cRLSign", dig | KeyUsageValue.cRLSign),
                ("keyCertSign", KeyUsageValue.keyCertSign), ("cRLSign", KeyUsageValue.cRLSign),
                ("keyCertSign+cRLSign+keyEncipherment", caKU | KeyUsageValue.keyEncipherment),
                ("digitalSignature+keyEncipherment", dig | KeyUsageValue.keyEncipherment), ("digitalSignature+nonRepudiation", dig | KeyUsageValue.nonRepudiation),
                ("keyCertSign+cRLSign+decipherOnly", caKU | KeyUsageValue.decipherOnly), ("digitalSignature+decipherOnly", dig | KeyUsageValue.decipherOnly),
                ("keyAgreement", KeyUsageValue.keyAgreement)]
            for (label, bits) in kus {
                m.append(ChainMutation("\(p).ku=\(label)") { withExtension(&$0, t, OID.keyUsage) { $0.value = ForgedCertificate.keyUsage(bits) } })
            }
            // key identifiers
            for n in [19, 21] {
                m.append(ChainMutation("\(p).skid.\(n)-bytes") { withExtension(&$0, t, OID.subjectKeyIdentifier) { $0.value = ForgedCertificate.skidValue(random(n)) } })
                m.append(ChainMutation("\(p).akid.\(n)-bytes") { withExtension(&$0, t, OID.authorityKeyIdentifier) { $0.value = ForgedCertificate.akidValue(random(n)) } })
            }
            m.append(ChainMutation("\(p).skid.other-20-bytes") { withExtension(&$0, t, OID.subjectKeyIdentifier) { $0.value = ForgedCertificate.skidValue(random(20)) } })
            m.append(ChainMutation("\(p).akid.other-20-bytes") { withExtension(&$0, t, OID.authorityKeyIdentifier) { $0.value = ForgedCertificate.akidValue(random(20)) } })
            // optional extensions: allowed unless critical and unknown to the verifier
            let eku = DERWriter.seq(DERWriter.oid([1, 3, 6, 1, 5, 5, 7, 3, 2]), DERWriter.oid([1, 3, 6, 1, 5, 5, 7, 3, 1]))
            let aia = DERWriter.seq(DERWriter.seq(DERWriter.oid([1, 3, 6, 1, 5, 5, 7, 48, 1]), DERWriter.tlv(0x86, Array("http://ocsp.example.com/".utf8))))
            let san = DERWriter.seq(DERWriter.tlv(0x82, Array("test.com".utf8)))
            let cdp = DERWriter.seq(DERWriter.seq(DERWriter.context(0, DERWriter.context(0, DERWriter.tlv(0x86, Array("http://crl.example.com/pai.crl".utf8))))))
            let optional: [(String, ASN1ObjectIdentifier, [UInt8])] = [
                ("extendedKeyUsage", OID.extendedKeyUsage, eku), ("authorityInfoAccess", OID.authorityInfoAccess, aia),
                ("subjectAltName", OID.subjectAltName, san), ("cRLDistributionPoints", OID.crlDistributionPoints, cdp),
                ("unknown-1.2.3.4", [1, 2, 3, 4], DERWriter.octets([1, 2, 3])),
                ("empty-subjectAltName", OID.subjectAltName, DERWriter.seq()),
            ]
            for (label, oid, value) in optional {
                for critical in [nil, true] as [Bool?] {
                    m.append(ChainMutation("\(p).add.\(label)\(critical == true ? ".critical" : "")") {
                        $0[t].extensions.append(ForgedCertificate.Ext(oid, critical: critical, value))
                    })
                }
            }
            // serials (not a verifier rule) and signatures
            m.append(ChainMutation("\(p).serial.negative") { $0[t].serial = DERWriter.integerBytes([0x80] + random(7)) })
            m.append(ChainMutation("\(p).serial.zero") { $0[t].serial = DERWriter.integerBytes([0x00]) })
            m.append(ChainMutation("\(p).serial.21-bytes") { $0[t].serial = DERWriter.integerBytes([0x01] + random(20)) })
            m.append(ChainMutation("\(p).serial.4-bytes") { $0[t].serial = DERWriter.integerBytes([0x01] + random(3)) })
            m.append(ChainMutation("\(p).add.cRLDistributionPoints.two-points") {
                let point = DERWriter.seq(DERWriter.context(0, DERWriter.context(0, DERWriter.tlv(0x86, Array("http://crl.example.com/a.crl".utf8)))))
                $0[t].extensions.append(ForgedCertificate.Ext(OID.crlDistributionPoints, critical: nil, DERWriter.seq(point, point)))
            })
            m.append(ChainMutation("\(p).add.cRLDistributionPoints.ldap") {
                let point = DERWriter.seq(DERWriter.context(0, DERWriter.context(0, DERWriter.tlv(0x86, Array("ldap://crl.example.com/".utf8)))))
                $0[t].extensions.append(ForgedCertificate.Ext(OID.crlDistributionPoints, critical: nil, DERWriter.seq(point)))
            })
            m.append(ChainMutation("\(p).signature.corrupted") { $0[t].corruptSignature = true })
            m.append(ChainMutation("\(p).notBefore.generalized-before-2050") { c in
                let d = t == .paa ? c.options.paaNotBefore : t == .pai ? c.options.paiNotBefore : c.options.dacNotBefore
                c[t].notBefore = DERWriter.time(d, generalized: true)
            })
        }
        m += vidPidMutations() + validityMutations() + issuerMutations()
        return m
    }

    static func vidPidMutations() -> [ChainMutation] {
        var m: [ChainMutation] = []
        for t in [CertificateType.pai, .dac] {
            let p = t.rawValue
            func subject(_ make: @escaping @Sendable (String, String) -> [A]) -> @Sendable (inout ForgedChain) -> Void {
                { c in
                    let v = ForgedChain.hex4(c.options.vid), d = ForgedChain.hex4(c.options.pid)
                    setSubject(&c, t, DERWriter.name(make(v, d)))
                }
            }
            let name = t == .dac ? "Forge DAC" : "Forge PAI"
            m.append(ChainMutation("\(p).vid.lowercase", subject { v, d in [cn(name), vid(v.lowercased()), pid(d)] }))
            m.append(ChainMutation("\(p).vid.3-digits", subject { v, d in [cn(name), vid(String(v.prefix(3))), pid(d)] }))
            m.append(ChainMutation("\(p).vid.5-digits", subject { v, d in [cn(name), vid(v + "0"), pid(d)] }))
            m.append(ChainMutation("\(p).vid.non-hex", subject { v, d in [cn(name), vid(String(v.prefix(3)) + "G"), pid(d)] }))
            m.append(ChainMutation("\(p).vid.empty", subject { _, d in [cn(name), vid(""), pid(d)] }))
            m.append(ChainMutation("\(p).vid.printable-string", subject { v, d in [cn(name), (OID.matterVID, DERWriter.printable(v)), pid(d)] }))
            m.append(ChainMutation("\(p).vid.repeated", subject { v, d in [cn(name), vid(v), vid(v), pid(d)] }))
            m.append(ChainMutation("\(p).vid.absent", subject { _, d in [cn(name), pid(d)] }))
            m.append(ChainMutation("\(p).vid.other", subject { v, d in [cn(name), vid(v == "0001" ? "0002" : "0001"), pid(d)] }))
            m.append(ChainMutation("\(p).pid.repeated", subject { v, d in [cn(name), vid(v), pid(d), pid(d)] }))
            m.append(ChainMutation("\(p).pid.lowercase-hex", subject { v, _ in [cn(name), vid(v), pid("abcd")] }))
            m.append(ChainMutation("\(p).pid.absent", subject { v, _ in [cn(name), vid(v)] }))
            m.append(ChainMutation("\(p).pid.other", subject { v, d in [cn(name), vid(v), pid(d == "0001" ? "0002" : "0001")] }))
            m.append(ChainMutation("\(p).pid.same", subject { v, d in [cn(name), vid(v), pid(d)] }))
            m.append(ChainMutation("\(p).order.pid-vid-cn", subject { v, d in [pid(d), vid(v), cn(name)] }))
            m.append(ChainMutation("\(p).cn-fallback", subject { v, d in [cn("\(name) Mvid:\(v) Mpid:\(d)")] }))
            m.append(ChainMutation("\(p).cn-fallback.vid-only", subject { v, _ in [cn("\(name) Mvid:\(v)")] }))
            m.append(ChainMutation("\(p).cn-fallback.pid-first", subject { v, d in [cn("Mpid:\(d)--Mvid:\(v) \(name)")] }))
            m.append(ChainMutation("\(p).cn-fallback.trailing-digit", subject { v, d in [cn("\(name) Mvid:\(v)0 Mpid:\(d)0")] }))
            m.append(ChainMutation("\(p).cn-fallback.lowercase-prefix", subject { v, d in [cn("\(name) mvid:\(v) mpid:\(d)")] }))
            m.append(ChainMutation("\(p).cn-fallback.uppercase-prefix", subject { v, d in [cn("\(name) MVID:\(v) MPID:\(d)")] }))
            m.append(ChainMutation("\(p).cn-fallback.lowercase-value", subject { v, d in [cn("\(name) Mvid:\(v.lowercased()) Mpid:\(d)")] }))
            m.append(ChainMutation("\(p).cn-fallback.bad-then-good", subject { v, d in [cn("Mvid:XYZW Mvid:\(v) Mpid:\(d)")] }))
            m.append(ChainMutation("\(p).cn-fallback.beyond-64-bytes", subject { v, d in [cn(String(repeating: "x", count: 56) + " Mvid:\(v) Mpid:\(d)")] }))
            m.append(ChainMutation("\(p).cn-fallback.at-64-byte-edge", subject { v, d in [cn("Mpid:\(d) " + String(repeating: "y", count: 50) + "Mvid:\(v)")] }))
            m.append(ChainMutation("\(p).cn-fallback.two-cns", subject { v, d in [cn("plain"), cn("\(name) Mvid:\(v) Mpid:\(d)")] }))
            m.append(ChainMutation("\(p).cn-fallback.with-conflicting-attributes", subject { v, d in [cn("\(name) Mvid:1234 Mpid:5678"), vid(v), pid(d)] }))
            m.append(ChainMutation("\(p).cn-fallback.invalid-with-attributes", subject { v, d in [cn("\(name) Mvid:zz"), vid(v), pid(d)] }))
            m.append(ChainMutation("\(p).cn-fallback.pid-attr-vid-cn", subject { v, d in [cn("\(name) Mvid:\(v)"), pid(d)] }))
            m.append(ChainMutation("\(p).cn.empty", subject { v, d in [cn(""), vid(v), pid(d)] }))
        }
        m.append(ChainMutation("paa.vid.same-as-pai") { c in setSubject(&c, .paa, DERWriter.name([cn("Forge PAA"), vid(ForgedChain.hex4(c.options.vid))])) })
        m.append(ChainMutation("paa.vid.other-than-pai") { c in setSubject(&c, .paa, DERWriter.name([cn("Forge PAA"), vid(c.options.vid == 1 ? "0002" : "0001")])) })
        m.append(ChainMutation("paa.pid.present") { c in setSubject(&c, .paa, DERWriter.name([cn("Forge PAA"), pid("8000")])) })
        m.append(ChainMutation("paa.cn-fallback.vid") { c in setSubject(&c, .paa, DERWriter.name([cn("Forge PAA Mvid:\(ForgedChain.hex4(c.options.vid))")])) })
        m.append(ChainMutation("paa.cn-fallback.pid") { c in setSubject(&c, .paa, DERWriter.name([cn("Forge PAA Mpid:8000")])) })
        m.append(ChainMutation("paa.vid.malformed") { c in setSubject(&c, .paa, DERWriter.name([cn("Forge PAA"), vid("fff")])) })
        return m
    }

    static func validityMutations() -> [ChainMutation] {
        let day: TimeInterval = 86400
        return [
            ChainMutation("dac.expired") { $0.dac.notAfter = at(Date(timeIntervalSinceNow: -day)) },
            ChainMutation("dac.not-yet-valid") { $0.dac.notBefore = at(Date(timeIntervalSinceNow: 10 * day)) },
            ChainMutation("dac.notBefore-before-pai") { $0.dac.notBefore = at($0.options.paiNotBefore.addingTimeInterval(-day)) },
            ChainMutation("dac.notBefore-equals-pai-notBefore") { $0.dac.notBefore = at($0.options.paiNotBefore) },
            ChainMutation("dac.notAfter-equals-notBefore") { $0.dac.notAfter = $0.dac.notBefore },
            ChainMutation("dac.notAfter-before-notBefore") { $0.dac.notAfter = at($0.options.dacNotBefore.addingTimeInterval(-day)) },
            ChainMutation("pai.notBefore-before-paa") { $0.pai.notBefore = at($0.options.paaNotBefore.addingTimeInterval(-day)) },
            ChainMutation("pai.expired-before-dac-issued") { $0.pai.notAfter = at($0.options.dacNotBefore.addingTimeInterval(-day)) },
            ChainMutation("pai.notAfter-equals-dac-notBefore") { $0.pai.notAfter = at($0.options.dacNotBefore) },
            ChainMutation("pai.expired-now-valid-at-dac-issuance") { $0.pai.notAfter = at(Date(timeIntervalSinceNow: -day)) },
            ChainMutation("pai.not-yet-valid-at-dac-issuance") { $0.pai.notBefore = at($0.options.dacNotBefore.addingTimeInterval(day)) },
            ChainMutation("paa.expired-before-dac-issued") { $0.paa.notAfter = at($0.options.dacNotBefore.addingTimeInterval(-day)) },
            ChainMutation("paa.expired-now-valid-at-dac-issuance") { $0.paa.notAfter = at(Date(timeIntervalSinceNow: -day)) },
            ChainMutation("paa.not-yet-valid-at-dac-issuance") { $0.paa.notBefore = at($0.options.dacNotBefore.addingTimeInterval(day)) },
            ChainMutation("all.bounded-lifetimes-dac-outlives-pai") {
                $0.pai.notAfter = at(Date(timeIntervalSinceNow: 1000 * day))
            },
            ChainMutation("all.bounded-lifetimes") {
                $0.paa.notAfter = at(Date(timeIntervalSinceNow: 3650 * day))
                $0.pai.notAfter = at(Date(timeIntervalSinceNow: 1000 * day))
                $0.dac.notAfter = at(Date(timeIntervalSinceNow: 500 * day))
            },
        ]
    }

    static func issuerMutations() -> [ChainMutation] {
        return [
            ChainMutation("dac.issuer.cn-changed") { c in linkPAI(&c, dacIssuer: cnName("Forge PAI 2", vidAttr(c))) },
            ChainMutation("dac.issuer.case-changed") { c in linkPAI(&c, dacIssuer: cnName("forge pai", vidAttr(c))) },
            ChainMutation("dac.issuer.extra-spaces") { c in linkPAI(&c, dacIssuer: cnName("  Forge   PAI ", vidAttr(c))) },
            ChainMutation("dac.issuer.printable-string") { c in linkPAI(&c, dacIssuer: cnName("Forge PAI", tag: 0x13, vidAttr(c))) },
            ChainMutation("dac.issuer.extra-attribute") { c in linkPAI(&c, dacIssuer: cnName("Forge PAI", vidAttr(c) + [(organization, DERWriter.utf8("Forge"))])) },
            ChainMutation("dac.issuer.missing-vid") { c in linkPAI(&c, dacIssuer: cnName("Forge PAI")) },
            ChainMutation("pai.issuer.cn-changed") { $0.pai.issuer = cnName("Another PAA") },
            ChainMutation("paa.issuer.differs-from-subject") { $0.paa.issuer = cnName("Another PAA") },
            ChainMutation("dac.issuer.empty") { $0.dac.issuer = DERWriter.seq() },
            ChainMutation("dac.subject.empty") { $0.dac.subject = DERWriter.seq() },
        ]
    }

    typealias A = (ASN1ObjectIdentifier, [UInt8])
    static func cn(_ s: String) -> A { (OID.commonName, DERWriter.utf8(s)) }
    static func vid(_ s: String) -> A { (OID.matterVID, DERWriter.utf8(s)) }
    static func pid(_ s: String) -> A { (OID.matterPID, DERWriter.utf8(s)) }
    static func at(_ d: Date) -> [UInt8] { DERWriter.time(d) }
    static func cnName(_ s: String, tag: UInt8 = 0x0C, _ rest: [A] = []) -> [UInt8] {
        DERWriter.name([(OID.commonName, DERWriter.tlv(tag, Array(s.utf8)))] + rest)
    }
    /// Rebuilds the PAI subject as CN + VID attribute, then gives the DAC `dacIssuer`.
    static func linkPAI(_ c: inout ForgedChain, dacIssuer: [UInt8]) {
        setSubject(&c, .pai, cnName("Forge PAI", vidAttr(c)))
        c.dac.issuer = dacIssuer
    }
    static let organization: ASN1ObjectIdentifier = [2, 5, 4, 10]
    static func vidAttr(_ c: ForgedChain) -> [A] { [(OID.matterVID, DERWriter.utf8(ForgedChain.hex4(c.options.vid)))] }

    /// A random but valid base chain.
    public static func randomOptions<R: RandomNumberGenerator>(using rng: inout R) -> ForgedChain.Options {
        var o = ForgedChain.Options()
        o.vid = [0xFFF1, 0xFFF2, 0x1234, UInt16.random(in: 1...0xFFF0, using: &rng)].randomElement(using: &rng)!
        o.pid = [0x8000, 0x0001, UInt16.random(in: 1...0xFFFF, using: &rng)].randomElement(using: &rng)!
        o.paaHasVID = Bool.random(using: &rng)
        o.paiHasPID = Bool.random(using: &rng)
        o.cnFallback = Int.random(in: 0..<5, using: &rng) == 0
        let day: TimeInterval = 86400
        o.paaNotBefore = Date(timeIntervalSinceNow: -Double(Int.random(in: 900...3000, using: &rng)) * day).rounded
        o.paiNotBefore = Date(timeIntervalSinceNow: -Double(Int.random(in: 500...899, using: &rng)) * day).rounded
        o.dacNotBefore = Date(timeIntervalSinceNow: -Double(Int.random(in: 2...499, using: &rng)) * day).rounded
        return o
    }
}

extension Date {
    var rounded: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

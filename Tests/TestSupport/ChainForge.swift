import Crypto
import Foundation
import MatterPKI
import SwiftASN1

/// A PAA → PAI → DAC chain as forgeable pieces, valid as generated: the starting point of every mutation.
public struct ForgedChain: Sendable {
    public struct Options: Sendable {
        public var vid: UInt16 = 0xFFF1
        public var pid: UInt16 = 0x8000
        public var paaHasVID = false
        public var paiHasPID = false
        public var cnFallback = false
        public var paaNotBefore = Date(timeIntervalSinceNow: -400 * 86400)
        public var paiNotBefore = Date(timeIntervalSinceNow: -300 * 86400)
        public var dacNotBefore = Date(timeIntervalSinceNow: -200 * 86400)
        /// nil: 99991231235959Z.
        public var paaNotAfter: Date? = nil
        public var paiNotAfter: Date? = nil
        public var dacNotAfter: Date? = nil
        public init() {}
    }

    public var paa: ForgedCertificate
    public var pai: ForgedCertificate
    public var dac: ForgedCertificate
    public let paaKey: P256.Signing.PrivateKey
    public let paiKey = P256.Signing.PrivateKey()
    public let dacKey = P256.Signing.PrivateKey()
    public let options: Options
    /// An existing PAA (e.g. the SDK's test PAA NoVID) used as it is instead of the forged one.
    public private(set) var fixedPAA: [UInt8]?

    /// A chain under an existing PAA: the PAI is issued by `paa` (its subject and SKID) with `paaKey`.
    public init(_ o: Options, paa existing: ParsedCertificate, paaKey key: P256.Signing.PrivateKey) {
        self.init(o, paaKey: key)
        self.pai.issuer = existing.subject.der
        if let i = self.pai.index(of: OID.authorityKeyIdentifier) {
            self.pai.extensions[i].value = ForgedCertificate.akidValue(existing.subjectKeyIdentifier!)
        }
        self.fixedPAA = existing.der
    }

    public static func hex4(_ v: UInt16) -> String { String(format: "%04X", v) }

    /// Subject attributes: CN, then VID/PID as Matter attributes, or in the CN (`Mvid:`/`Mpid:`).
    public static func subject(cn: String, vid: UInt16?, pid: UInt16?, cnFallback: Bool) -> [(ASN1ObjectIdentifier, [UInt8])] {
        if cnFallback {
            var s = cn
            if let vid { s += " Mvid:\(hex4(vid))" }
            if let pid { s += " Mpid:\(hex4(pid))" }
            return [(OID.commonName, DERWriter.utf8(s))]
        }
        var a: [(ASN1ObjectIdentifier, [UInt8])] = [(OID.commonName, DERWriter.utf8(cn))]
        if let vid { a.append((OID.matterVID, DERWriter.utf8(hex4(vid)))) }
        if let pid { a.append((OID.matterPID, DERWriter.utf8(hex4(pid)))) }
        return a
    }

    public init(_ o: Options = Options(), paaKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey()) {
        options = o
        self.paaKey = paaKey
        fixedPAA = nil
        let paaName = DERWriter.name(Self.subject(cn: "Forge PAA", vid: o.paaHasVID ? o.vid : nil, pid: nil, cnFallback: o.cnFallback))
        let paiName = DERWriter.name(Self.subject(cn: "Forge PAI", vid: o.vid, pid: o.paiHasPID ? o.pid : nil, cnFallback: o.cnFallback))
        let dacName = DERWriter.name(Self.subject(cn: "Forge DAC", vid: o.vid, pid: o.pid, cnFallback: o.cnFallback))
        let keys = (paa: paaKey.publicKey, pai: paiKey.publicKey, dac: dacKey.publicKey)
        func serial() -> [UInt8] { DERWriter.integerBytes([UInt8.random(in: 1...0x7F)] + (0..<7).map { _ in UInt8.random(in: 0...255) }) }
        func ext(ca: Bool?, path: Int?, ku: UInt32, skid: [UInt8], akid: [UInt8]?) -> [ForgedCertificate.Ext] {
            var e = [ForgedCertificate.Ext(OID.basicConstraints, critical: true, ForgedCertificate.basicConstraints(ca: ca, pathLen: path)),
                     ForgedCertificate.Ext(OID.keyUsage, critical: true, ForgedCertificate.keyUsage(ku)),
                     ForgedCertificate.Ext(OID.subjectKeyIdentifier, critical: nil, ForgedCertificate.skidValue(skid))]
            if let akid { e.append(ForgedCertificate.Ext(OID.authorityKeyIdentifier, critical: nil, ForgedCertificate.akidValue(akid))) }
            return e
        }
        let caKU = KeyUsageValue.keyCertSign | KeyUsageValue.cRLSign
        func end(_ d: Date?) -> [UInt8] { d.map { DERWriter.time($0) } ?? DERWriter.noExpiry }
        paa = ForgedCertificate(serial: serial(), issuer: paaName, notBefore: DERWriter.time(o.paaNotBefore), notAfter: end(o.paaNotAfter),
                                subject: paaName, spki: ForgedCertificate.spki(keys.paa),
                                extensions: ext(ca: true, path: 1, ku: caKU, skid: ForgedCertificate.skid(keys.paa), akid: ForgedCertificate.skid(keys.paa)))
        pai = ForgedCertificate(serial: serial(), issuer: paaName, notBefore: DERWriter.time(o.paiNotBefore), notAfter: end(o.paiNotAfter),
                                subject: paiName, spki: ForgedCertificate.spki(keys.pai),
                                extensions: ext(ca: true, path: 0, ku: caKU, skid: ForgedCertificate.skid(keys.pai), akid: ForgedCertificate.skid(keys.paa)))
        dac = ForgedCertificate(serial: serial(), issuer: paiName, notBefore: DERWriter.time(o.dacNotBefore), notAfter: end(o.dacNotAfter),
                                subject: dacName, spki: ForgedCertificate.spki(keys.dac),
                                extensions: ext(ca: nil, path: nil, ku: KeyUsageValue.digitalSignature, skid: ForgedCertificate.skid(keys.dac), akid: ForgedCertificate.skid(keys.pai)))
    }

    /// Signs all three: the PAA by itself, the PAI by the PAA key, the DAC by the PAI key.
    public func render() -> (paa: [UInt8], pai: [UInt8], dac: [UInt8]) {
        (fixedPAA ?? paa.signed(by: paaKey), pai.signed(by: paaKey), dac.signed(by: paiKey))
    }

    public subscript(_ t: CertificateType) -> ForgedCertificate {
        get { switch t { case .paa: paa; case .pai: pai; case .dac, .crlSigner: dac } }
        set { switch t { case .paa: paa = newValue; case .pai: pai = newValue; case .dac, .crlSigner: dac = newValue } }
    }
}

extension ForgedCertificate {
    public func index(of oid: ASN1ObjectIdentifier) -> Int? { extensions.firstIndex { $0.oid == oid } }
}

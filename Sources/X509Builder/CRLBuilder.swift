import Foundation
import MatterPKI
import Signing

/// One revoked certificate as a CRL lists it.
public struct CRLEntry: Sendable {
    /// Serial magnitude, big-endian (as the ledger keeps it in hex).
    public var serial: [UInt8]
    public var revokedAt: Int64
    /// RFC 5280 CRLReason code; nil or 0 (unspecified) writes no reasonCode extension.
    public var reason: Int?
    public init(serial: [UInt8], revokedAt: Int64, reason: Int? = nil) { self.serial = serial; self.revokedAt = revokedAt; self.reason = reason }
}

/// What one CRL says, apart from its entries.
public struct CRLSpec: Sendable {
    public var number: [UInt8]
    public var thisUpdate: Int64
    public var nextUpdate: Int64
    /// Set for a partitioned CRL: its issuingDistributionPoint names exactly this URI (critical, as RFC 5280 §5.2.5
    /// asks; only partitioned CRLs carry it, so unpartitioned ones stay readable by mbedTLS-based checkers).
    public var partitionURL: String?
    /// Set when a delegated signer signs for the CA whose subject this is: every entry carries certificateIssuer.
    public var indirectIssuer: [UInt8]?
    /// The PAA's CRL lists CA certificates only (onlyContainsCACerts), as in the SDK's PAA-delegated sample.
    public var onlyCACerts = false
    public init(number: [UInt8], thisUpdate: Int64, nextUpdate: Int64, partitionURL: String? = nil, indirectIssuer: [UInt8]? = nil) {
        self.number = number; self.thisUpdate = thisUpdate; self.nextUpdate = nextUpdate
        self.partitionURL = partitionURL; self.indirectIssuer = indirectIssuer
    }
}

public struct SignedCRL: Sendable {
    public let der: [UInt8]
    public let facts: CRLFacts
}

public enum CRLBuilderError: Error, CustomStringConvertible {
    case violations([CRLViolation])
    case unreadable(String)
    public var description: String {
        switch self {
        case .violations(let v): return "refused before signing, the CRL breaks the Matter CRL profile:\n" + v.map { "  \($0)" }.joined(separator: "\n")
        case .unreadable(let r): return "the assembled CRL does not read back: \(r)"
        }
    }
    public var violatedRules: Set<CRLRule> {
        if case .violations(let v) = self { return Set(v.map(\.rule)) }
        return []
    }
}

/// The one place CRLs are assembled (RFC 5280 §5). DER is written by hand, entry by entry into one buffer: a
/// million entries cost a few bytes of work each, with no node per field. The exact TBS bytes are linted
/// (`MatterProfile.lintCRL`) inside `Signer.signChecked`, the primitive certificates go through, so a CRL that
/// breaks the profile is never signed, and the signature is verified before it is returned.
public enum CRLBuilder {
    /// `signer` holds the key of the certificate whose subject and SKID are `signerSubject` / `signerSKID`.
    public static func build(_ spec: CRLSpec, entries: some Sequence<CRLEntry>, signerSubject: [UInt8], signerSKID: [UInt8],
                             signer: any Signer, lint context: CRLLintContext) throws -> SignedCRL {
        let tbs = tbsCertList(spec, entries: entries, issuer: signerSubject, akid: signerSKID)
        var facts: CRLFacts?
        let signature = try signer.signChecked(tbs) { bytes in
            let f: CRLFacts
            do { f = try CRLFacts(der: bytes) } catch let e as CRLFacts.ParseError { throw CRLBuilderError.unreadable(e.description) }
            let v = MatterProfile.lintCRL(f, context)
            guard v.isEmpty else { throw CRLBuilderError.violations(v) }
            facts = f
        }
        let der = DERWrite.signed(tbs, signature: signature)
        var f = facts!
        f.size = der.count
        return SignedCRL(der: der, facts: f)
    }

    /// The TBSCertList bytes.
    public static func tbsCertList(_ spec: CRLSpec, entries: some Sequence<CRLEntry>, issuer: [UInt8], akid: [UInt8]) -> [UInt8] {
        var body: [UInt8] = [0x02, 0x01, 0x01]                       // version v2
        body += [0x30, 0x0A, 0x06, 0x08] + OIDBytes.ecdsaWithSHA256  // signature
        body += issuer
        DERWrite.time(spec.thisUpdate, to: &body)
        DERWrite.time(spec.nextUpdate, to: &body)
        var list: [UInt8] = []
        list.reserveCapacity(entries.underestimatedCount * (48 + (spec.indirectIssuer?.count ?? 0)))   // one allocation for a big list
        let issuerExt: [UInt8]? = spec.indirectIssuer.map { name in
            var gn: [UInt8] = []
            DERWrite.append(0xA4, name, to: &gn)
            var names: [UInt8] = []
            DERWrite.append(0x30, gn, to: &names)
            return DERWrite.extensionBytes(OIDBytes.certificateIssuer, critical: true, value: names)
        }
        var entry: [UInt8] = [], entryExts: [UInt8] = []
        let reasonExts: [[UInt8]] = (0...10).map { DERWrite.extensionBytes(OIDBytes.reasonCode, critical: false, value: [0x0A, 0x01, UInt8($0)]) }
        for e in entries {
            entry.removeAll(keepingCapacity: true)
            entryExts.removeAll(keepingCapacity: true)
            DERWrite.integer(e.serial, to: &entry)
            DERWrite.time(e.revokedAt, to: &entry)
            if let r = e.reason, r > 0, r <= 10 { entryExts += reasonExts[r] }
            if let issuerExt { entryExts += issuerExt }
            if !entryExts.isEmpty { DERWrite.append(0x30, entryExts, to: &entry) }
            DERWrite.append(0x30, entry, to: &list)
        }
        if !list.isEmpty { DERWrite.append(0x30, list, to: &body) }
        var exts: [UInt8] = []
        var akidValue: [UInt8] = []
        var keyID: [UInt8] = []
        DERWrite.append(0x80, akid, to: &keyID)
        DERWrite.append(0x30, keyID, to: &akidValue)
        exts += DERWrite.extensionBytes(OIDBytes.authorityKeyIdentifier, critical: false, value: akidValue)
        var number: [UInt8] = []
        DERWrite.integer(spec.number, to: &number)
        exts += DERWrite.extensionBytes(OIDBytes.crlNumber, critical: false, value: number)
        if let url = spec.partitionURL {
            var uri: [UInt8] = []
            DERWrite.append(0x86, Array(url.utf8), to: &uri)
            var fullName: [UInt8] = []
            DERWrite.append(0xA0, uri, to: &fullName)
            var dpn: [UInt8] = []
            DERWrite.append(0xA0, fullName, to: &dpn)
            if spec.onlyCACerts { dpn += [0x82, 0x01, 0xFF] }
            if spec.indirectIssuer != nil { dpn += [0x84, 0x01, 0xFF] }
            var idp: [UInt8] = []
            DERWrite.append(0x30, dpn, to: &idp)
            exts += DERWrite.extensionBytes(OIDBytes.issuingDistributionPoint, critical: true, value: idp)
        }
        var seq: [UInt8] = []
        DERWrite.append(0x30, exts, to: &seq)
        DERWrite.append(0xA0, seq, to: &body)
        var tbs: [UInt8] = []
        tbs.reserveCapacity(body.count + 6)
        DERWrite.append(0x30, body, to: &tbs)
        return tbs
    }
}

/// Minimal DER writing for the CRL and the templated DACs.
enum DERWrite {
    /// SEQUENCE { tbs, ecdsa-with-SHA256, BIT STRING signature }: a signed certificate or CRL.
    static func signed(_ tbs: [UInt8], signature: [UInt8]) -> [UInt8] {
        var body = tbs
        body += [0x30, 0x0A, 0x06, 0x08] + OIDBytes.ecdsaWithSHA256
        append(0x03, [0] + signature, to: &body)
        var der: [UInt8] = []
        der.reserveCapacity(body.count + 6)
        append(0x30, body, to: &der)
        return der
    }

    static func append(_ tag: UInt8, _ content: [UInt8], to out: inout [UInt8]) {
        out.append(tag)
        DERLength.append(content.count, to: &out)
        out += content
    }

    /// A non-negative INTEGER from a big-endian magnitude.
    static func integer(_ magnitude: [UInt8], to out: inout [UInt8]) {
        var m = magnitude.drop { $0 == 0 }
        if m.isEmpty { m = [0] }
        out.append(0x02)
        let pad = m.first! & 0x80 != 0
        DERLength.append(m.count + (pad ? 1 : 0), to: &out)
        if pad { out.append(0) }
        out += m
    }

    static func time(_ seconds: Int64, to out: inout [UInt8]) { CertificateTime.appendDER(seconds, to: &out) }

    static func extensionBytes(_ oid: [UInt8], critical: Bool, value: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        append(0x06, oid, to: &body)
        if critical { body += [0x01, 0x01, 0xFF] }
        append(0x04, value, to: &body)
        var out: [UInt8] = []
        append(0x30, body, to: &out)
        return out
    }
}

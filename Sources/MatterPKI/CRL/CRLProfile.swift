import Foundation

/// The rules a CRL must meet for Matter's checkers (matter-revocation.md §1), as data: the issuer lints every CRL
/// on its exact to-be-signed bytes before the key signs it, as it does certificates.
public enum CRLRule: String, CaseIterable, Sendable, Codable {
    case crlVersionMustBeV2
    case crlSignatureAlgorithmMustBeECDSAWithSHA256
    case crlIssuerMustEqualSignerSubject
    case crlAuthorityKeyIDMustEqualSignerSKID
    case crlNumberRequired
    case crlNumberMustIncrease
    case crlNextUpdateMustFollowThisUpdate
    case crlMustNotBeDelta
    case crlExtensionMustBeKnown
    case crlNoCriticalExtensionUnlessPartitioned
    case crlIDPOnlyWhenPartitioned
    case crlIDPMustNameExactlyThePublishedURL
    case crlEntrySerialMustBePositiveAtMost20Octets
    case crlEntrySerialMustBeUnique
    case crlIndirectEntriesMustNameTheirIssuer
    case crlDirectEntriesMustNotNameAnIssuer
    case crlEntryExtensionMustNotBeCritical
    case crlEmptyRevokedListMustBeAbsent

    public var requirement: String {
        switch self {
        case .crlVersionMustBeV2: return "version v2 (mbedTLS reads CRL extensions only in v2)"
        case .crlSignatureAlgorithmMustBeECDSAWithSHA256: return "signed with ecdsa-with-SHA256"
        case .crlIssuerMustEqualSignerSubject: return "CRL issuer equals the signer certificate's subject byte for byte (ESP compares raw bytes)"
        case .crlAuthorityKeyIDMustEqualSignerSKID: return "authorityKeyIdentifier.keyIdentifier present and equal to the signer's SKID (GEN step 7a)"
        case .crlNumberRequired: return "cRLNumber present, non-negative, at most 20 octets (RFC 5280 §5.2.3)"
        case .crlNumberMustIncrease: return "cRLNumber greater than every number the signer published before"
        case .crlNextUpdateMustFollowThisUpdate: return "nextUpdate present and after thisUpdate (RFC 5280 §5.1.2.5)"
        case .crlMustNotBeDelta: return "a full CRL: no deltaCRLIndicator or freshestCRL (no Matter checker reads deltas)"
        case .crlExtensionMustBeKnown: return "CRL extensions limited to authorityKeyIdentifier, cRLNumber and issuingDistributionPoint"
        case .crlNoCriticalExtensionUnlessPartitioned: return "no critical CRL extension unless partitioned (mbedTLS drops a CRL with one)"
        case .crlIDPOnlyWhenPartitioned: return "an issuingDistributionPoint only when one issuer publishes several CRLs"
        case .crlIDPMustNameExactlyThePublishedURL: return "the issuingDistributionPoint names exactly one URI, equal to the published URL (GEN step 7b)"
        case .crlEntrySerialMustBePositiveAtMost20Octets: return "every revoked serial positive and at most 20 octets (RFC 5280 §4.1.2.2)"
        case .crlEntrySerialMustBeUnique: return "every revoked serial listed once"
        case .crlIndirectEntriesMustNameTheirIssuer: return "an indirect CRL carries certificateIssuer, equal to the issuing CA's subject, on every entry (GEN keeps entries without it)"
        case .crlDirectEntriesMustNotNameAnIssuer: return "a direct CRL carries no certificateIssuer entry extension"
        case .crlEntryExtensionMustNotBeCritical: return "no critical entry extension other than certificateIssuer"
        case .crlEmptyRevokedListMustBeAbsent: return "revokedCertificates absent when nothing is revoked (RFC 5280 §5.1.2.6)"
        }
    }
    public var source: String { "matter-revocation.md §1; RFC 5280 §5" }
}

public struct CRLViolation: Error, Equatable, Sendable, CustomStringConvertible {
    public let rule: CRLRule
    public let detail: String
    public var description: String { "\(rule.rawValue): \(detail)" }
}

/// What the lint checks a CRL against: who signs it, for which CA, where it is published.
public struct CRLLintContext: Sendable {
    public var signerSubject: [UInt8]
    public var signerSKID: [UInt8]
    /// The subject of the CA whose certificates the CRL lists, when the signer is a delegate (an indirect CRL).
    public var indirectIssuer: [UInt8]?
    /// The highest cRLNumber the signer published before (big-endian magnitude), if any.
    public var previousNumber: [UInt8]?
    public var partitioned: Bool
    public var publishedURL: String?
    public init(signerSubject: [UInt8], signerSKID: [UInt8], indirectIssuer: [UInt8]? = nil, previousNumber: [UInt8]? = nil,
                partitioned: Bool = false, publishedURL: String? = nil) {
        self.signerSubject = signerSubject; self.signerSKID = signerSKID; self.indirectIssuer = indirectIssuer
        self.previousNumber = previousNumber; self.partitioned = partitioned; self.publishedURL = publishedURL
    }
}

extension MatterProfile {
    /// The ESP on-device checker ignores a CRL larger than this (`k_crl_max_len`): past it, a warning.
    public static let crlSizeWarningBytes = 1200

    /// Lints a TBSCertList (or, with `whole`, a CertificateList) against the CRL rules.
    public static func lintCRL(_ facts: CRLFacts, _ c: CRLLintContext) -> [CRLViolation] {
        var out: [CRLViolation] = []
        func fail(_ r: CRLRule, _ d: String) { out.append(CRLViolation(rule: r, detail: d)) }
        if facts.version != 1 { fail(.crlVersionMustBeV2, "version is \(facts.version.map { "v\($0 + 1)" } ?? "absent (v1)")") }
        if !facts.signatureAlgorithm.starts(with: [0x06, UInt8(OIDBytes.ecdsaWithSHA256.count)] + OIDBytes.ecdsaWithSHA256) || facts.signatureAlgorithm.count != 10 {
            fail(.crlSignatureAlgorithmMustBeECDSAWithSHA256, "signature algorithm is \(facts.signatureAlgorithm.hexString)")
        }
        if facts.issuer != c.signerSubject { fail(.crlIssuerMustEqualSignerSubject, "CRL issuer \(facts.issuer.hexString) is not the signer's subject \(c.signerSubject.hexString)") }
        if facts.authorityKeyID != c.signerSKID {
            fail(.crlAuthorityKeyIDMustEqualSignerSKID, facts.authorityKeyID.map { "AKID \($0.hexString) is not the signer SKID \(c.signerSKID.hexString)" } ?? "no authorityKeyIdentifier keyIdentifier")
        }
        if let n = facts.crlNumber {
            let magnitude = Array(n.drop { $0 == 0 })
            if n.isEmpty || n.first! & 0x80 != 0 || magnitude.count > 20 { fail(.crlNumberRequired, "cRLNumber \(n.hexString) is negative, empty or longer than 20 octets") }
            if let prev = c.previousNumber, !Self.greater(magnitude, than: Array(prev.drop { $0 == 0 })) {
                fail(.crlNumberMustIncrease, "cRLNumber \(magnitude.hexString) is not greater than the last published \(prev.hexString)")
            }
        } else { fail(.crlNumberRequired, "no cRLNumber") }
        if let next = facts.nextUpdate, let this = facts.thisUpdate {
            if next <= this { fail(.crlNextUpdateMustFollowThisUpdate, "nextUpdate \(next) is not after thisUpdate \(this)") }
        } else { fail(.crlNextUpdateMustFollowThisUpdate, "no nextUpdate") }
        for e in facts.extensions {
            switch e.oid {
            case OIDBytes.deltaCRLIndicator, OIDBytes.freshestCRL: fail(.crlMustNotBeDelta, "\(OIDBytes.name(e.oid)) present")
            case OIDBytes.authorityKeyIdentifier, OIDBytes.crlNumber, OIDBytes.issuingDistributionPoint: break
            default: fail(.crlExtensionMustBeKnown, "\(OIDBytes.name(e.oid)) present")
            }
            let criticalAllowed = c.partitioned && e.oid == OIDBytes.issuingDistributionPoint
            if e.critical && !criticalAllowed { fail(.crlNoCriticalExtensionUnlessPartitioned, "\(OIDBytes.name(e.oid)) is critical") }
        }
        switch (facts.idp, c.partitioned) {
        case (nil, true): fail(.crlIDPOnlyWhenPartitioned, "a partitioned CRL without an issuingDistributionPoint")
        case (_?, false): fail(.crlIDPOnlyWhenPartitioned, "an issuingDistributionPoint on an unpartitioned CRL")
        case (let idp?, true):
            if idp.uris.count != 1 || idp.otherNames != 0 || idp.uris.first != c.publishedURL {
                fail(.crlIDPMustNameExactlyThePublishedURL, "names \(idp.uris) (+\(idp.otherNames) other), published at \(c.publishedURL ?? "?")")
            }
        default: break
        }
        if !facts.badSerials.isEmpty {
            fail(.crlEntrySerialMustBePositiveAtMost20Octets, "\(facts.badSerials.count) serial(s), first \(facts.badSerials[0])")
        }
        if facts.duplicateSerials > 0 { fail(.crlEntrySerialMustBeUnique, "\(facts.duplicateSerials) serial(s) listed twice") }
        if let issuer = c.indirectIssuer {
            if facts.entriesWithoutCertificateIssuer > 0 || facts.certificateIssuers.contains(where: { $0 != issuer }) {
                fail(.crlIndirectEntriesMustNameTheirIssuer, "\(facts.entriesWithoutCertificateIssuer) entries without certificateIssuer, \(facts.certificateIssuers.filter { $0 != issuer }.count) other issuer(s)")
            }
        } else if !facts.certificateIssuers.isEmpty {
            fail(.crlDirectEntriesMustNotNameAnIssuer, "\(facts.entryCount - facts.entriesWithoutCertificateIssuer) entries carry certificateIssuer")
        }
        if !facts.criticalEntryExtensions.isEmpty { fail(.crlEntryExtensionMustNotBeCritical, "critical \(facts.criticalEntryExtensions.sorted())") }
        if facts.emptyRevokedList { fail(.crlEmptyRevokedListMustBeAbsent, "revokedCertificates present and empty") }
        return out
    }

    static func greater(_ a: [UInt8], than b: [UInt8]) -> Bool {
        if a.count != b.count { return a.count > b.count }
        return a.lexicographicallyPrecedes(b) == false && a != b
    }
}

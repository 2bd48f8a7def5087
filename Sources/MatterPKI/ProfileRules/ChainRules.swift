/// Rules between a certificate and its issuer (matter-attestation.md §1.3, §1.5).
let issuerRules: [IssuerRule] = [
    IssuerRule(.issuerNameMustMatchIssuerSubject, "issuer name must equal the issuer's subject",
               source: "ValidateCertificateChain (OpenSSL X509_check_issued, X509_NAME_cmp)") { c, i in
        unless(c.certificate.issuer.matchesForChaining(i.certificate.subject),
               "issuer \"\(c.certificate.issuer)\" is not the \(i.type)'s subject \"\(i.certificate.subject)\"")
    },
    IssuerRule(.authorityKeyIdentifierMustMatchIssuerSKID, "authorityKeyIdentifier must equal the issuer's subjectKeyIdentifier",
               source: "ValidateCertificateChain (X509_check_akid); PAA lookup by PAI AKID (§1.8)") { c, i in
        guard let akid = c.akid, let skid = i.skid else { return [] }
        return unless(akid == skid, "AKID \(akid.hexString) is not the \(i.type) SKID \(skid.hexString)")
    },
    IssuerRule(.signatureMustVerifyWithIssuerKey, "the signature must verify with the issuer's P-256 key",
               source: "ValidateCertificateChain (X509_verify_cert)") { c, i in
        guard c.certificate.isSigned, c.certificate.signatureAlgorithm?.oid == OID.ecdsaWithSHA256,
              let key = i.certificate.publicKey.p256 else { return [] }  // other rules already name the cause
        return unless(c.certificate.isSignatureValid(issuerKey: key),
                      "signature does not verify with the \(i.type) key")
    },
    IssuerRule(.notBeforeMustBeWithinIssuerValidity, "notBefore must fall within the issuer's validity",
               source: "IsCertificateValidAtIssuance (CHIPCryptoPALOpenSSL.cpp)") { c, i in
        let nb = c.certificate.notBefore
        return unless(nb >= i.certificate.notBefore && nb <= i.certificate.notAfter,
                      "notBefore \(nb) is outside the \(i.type) validity \(i.certificate.notBefore) … \(i.certificate.notAfter)")
    },
    IssuerRule(.validityMustNestWithinIssuer, "notAfter must not be later than the issuer's notAfter",
               source: "factory tools check it (esp-matter-mfg-tool cert_utils: issuer.notBefore ≤ notAfter ≤ issuer.notAfter)",
               issuanceOnly: true) { c, i in
        unless(c.certificate.notAfter <= i.certificate.notAfter,
               "notAfter \(c.certificate.notAfter) is after the \(i.type) notAfter \(i.certificate.notAfter)")
    },
    IssuerRule(.dacVIDMustMatchPAI, "the DAC's VID must equal the PAI's VID",
               source: "DefaultDACVerifier: kDacVendorIdMismatch") { c, i in
        guard c.type == .dac, let d = c.ids?.vid, let p = i.ids?.vid else { return [] }
        return unless(d == p, "DAC VID \(d) differs from PAI VID \(p)")
    },
    IssuerRule(.dacPIDMustMatchPAI, "if the PAI carries a PID, the DAC's PID must equal it",
               source: "DefaultDACVerifier: kDacProductIdMismatch") { c, i in
        guard c.type == .dac, let p = i.ids?.pid else { return [] }
        guard let d = c.ids?.pid else { return [] }  // dacMustHavePID names that case
        return unless(d == p, "DAC PID \(d) differs from PAI PID \(p)")
    },
    IssuerRule(.crlSignerVIDPIDMustMatchIssuer, "a CRL signer carries its issuer's VID and PID, and no others",
               source: "GEN validate_vid_pid and DCL pid rules (matter-revocation.md §4: give the delegate the PAI's VID and PID)") { c, i in
        guard c.type == .crlSigner else { return [] }
        let (cv, cp, iv, ip) = (c.ids?.vid, c.ids?.pid, i.ids?.vid, i.ids?.pid)
        return unless(cv == iv && cp == ip, "CRL signer VID/PID \(cv.map { "\($0)" } ?? "none")/\(cp.map { "\($0)" } ?? "none") differs from the \(i.type)'s \(iv.map { "\($0)" } ?? "none")/\(ip.map { "\($0)" } ?? "none")")
    },
    IssuerRule(.paiVIDMustMatchPAA, "if the PAA carries a VID, the PAI's VID must equal it",
               source: "DefaultDACVerifier: kPaiVendorIdMismatch") { c, i in
        guard c.type == .pai, let a = i.ids?.vid, let p = c.ids?.vid else { return [] }
        return unless(a == p, "PAI VID \(p) differs from PAA VID \(a)")
    },
]

/// Rules over the whole chain at a time (matter-attestation.md §1.4, §1.5).
let chainRules: [ChainRule] = [
    ChainRule(id: .chainMustBeValidAtDACNotBefore, requirement: "PAA, PAI and DAC must all be valid at the DAC's notBefore",
              source: "ValidateCertificateChain: X509_VERIFY_PARAM_set_time(DAC notBefore)") { paa, pai, dac, _ in
        let t = dac.certificate.notBefore
        return [paa, pai, dac].compactMap { f in
            let c = f.certificate
            return c.notBefore <= t && t < c.notAfter ? nil
                : (f.type, "validity \(c.notBefore) … \(c.notAfter) does not cover the DAC notBefore \(t)")
        }
    },
    ChainRule(id: .dacMustBeValidNow, requirement: "the DAC must be valid at the current time",
              source: "DefaultDACVerifier: IsCertificateValidAtCurrentTime → kDacExpired") { _, _, dac, now in
        let c = dac.certificate
        guard c.notBefore.secondsSince1970 <= now && now < c.notAfter.secondsSince1970 else {
            return [(.dac, "validity \(c.notBefore) … \(c.notAfter) does not cover now (\(CertificateTime(secondsSince1970: now, encoding: .generalizedTime)))")]
        }
        return []
    },
]

/// X.509 structure rules (matter-attestation.md §1.1; SDK `VerifyAttestationCertificateFormat`, and the
/// `X509_V_FLAG_X509_STRICT` checks of the SDK's OpenSSL chain validation).
let structureRules: [CertificateRule] = [
    CertificateRule(.versionMustBeV3, allTypes, "X.509 version must be v3",
                    source: "CHIPCryptoPALOpenSSL.cpp VerifyAttestationCertificateFormat: X509_get_version == 2") { f in
        unless(f.certificate.version == 2, "version is v\(f.certificate.version + 1)")
    },
    CertificateRule(.signatureAlgorithmMustBeECDSAWithSHA256, allTypes, "signatureAlgorithm must be ecdsa-with-SHA256 (1.2.840.10045.4.3.2)",
                    source: "VerifyAttestationCertificateFormat: X509_get_signature_nid == NID_ecdsa_with_SHA256") { f in
        let alg = f.certificate.effectiveSignatureAlgorithm
        return unless(alg.oid == OID.ecdsaWithSHA256, "signature algorithm is \(alg)")
    },
    // The SDK's chain validation does not apply these two to the trust anchor (measured with the sdk-judge),
    // so for a PAA they are issuance rules only.
    signatureAlgorithmFieldsRule([.pai, .dac], issuanceOnly: false),
    signatureAlgorithmFieldsRule([.paa], issuanceOnly: true),
    CertificateRule(.publicKeyMustBeP256, allTypes, "subject public key must be an EC P-256 (prime256v1) point",
                    source: "ExtractPubkeyFromX509Cert: EVP_PKEY_EC, 256 bits, NID_X9_62_prime256v1") { f in
        unless(f.certificate.publicKey.p256 != nil, "public key is \(f.certificate.publicKey.summary)")
    },
    CertificateRule(.publicKeyMustBeUncompressed, allTypes, "subject public key must be the 65-byte uncompressed point",
                    source: "Matter certificates carry uncompressed points (chip-cert, SDK test vectors)", issuanceOnly: true) { f in
        unless(f.certificate.publicKey.p256 == nil || f.certificate.publicKey.isP256Uncompressed,
               "public key is \(f.certificate.publicKey.summary)")
    },
    CertificateRule(.issuerNameMustNotBeEmpty, allTypes, "issuer name must not be empty",
                    source: "RFC 5280 §4.1.2.4; OpenSSL strict X509_V_ERR_ISSUER_NAME_EMPTY") { f in
        unless(!f.certificate.issuer.isEmpty, "issuer name is empty")
    },
    CertificateRule(.subjectNameMustNotBeEmpty, allTypes, "subject name must not be empty",
                    source: "RFC 5280 §4.1.2.6; OpenSSL strict X509_V_ERR_SUBJECT_NAME_EMPTY") { f in
        unless(!f.certificate.subject.isEmpty, "subject name is empty")
    },
    CertificateRule(.validityMustNotBeEmpty, allTypes, "notBefore must be earlier than notAfter",
                    source: "RFC 5280 §4.1.2.5; a certificate with notAfter <= notBefore is valid at no time") { f in
        unless(f.certificate.notBefore < f.certificate.notAfter,
               "notBefore \(f.certificate.notBefore) is not before notAfter \(f.certificate.notAfter)")
    },
    CertificateRule(.extensionMustNotRepeat, allTypes, "no extension may appear more than once",
                    source: "RFC 5280 §4.2; VerifyAttestationCertificateFormat (basicConstraints, keyUsage, SKID, AKID); OpenSSL EXFLAG_INVALID") { f in
        let exts = f.certificate.extensions
        var repeated: [String] = []
        for (i, e) in exts.enumerated() where !exts[..<i].contains(where: { $0.oid == e.oid }) {
            let n = exts[i...].filter { $0.oid == e.oid }.count
            if n > 1 { repeated.append("\(e.name) appears \(n) times") }
        }
        return repeated
    },
    CertificateRule(.extensionMustBeWellFormed, allTypes, "extension values must decode",
                    source: "OpenSSL x509v3_cache_extensions: EXFLAG_INVALID fails X509_verify_cert") { f in
        var bad: [String] = []
        for r in [f.basicConstraints.map { $0.map { _ in () } }, f.keyUsage.map { $0.map { _ in () } },
                  f.subjectKeyIdentifier.map { $0.map { _ in () } }, f.authorityKeyIdentifier.map { $0.map { _ in () } }] {
            if case .failure(let e)? = r { bad.append(e.description) }
        }
        for e in f.extensions(OID.extendedKeyUsage) {
            do { _ = try ExtendedKeyUsageValue(e.value) } catch { bad.append("\(error)") }
        }
        for e in f.extensions(OID.subjectAltName) {
            do { _ = try GeneralNamesValue(e.value, field: "subjectAltName") } catch { bad.append("\(error)") }
        }
        for e in f.extensions(OID.crlDistributionPoints) {
            do { _ = try CRLDistributionPointsValue(e.value) } catch { bad.append("\(error)") }
        }
        return bad
    },
    criticalExtensionRule([.pai, .dac], issuanceOnly: false),
    criticalExtensionRule([.paa], issuanceOnly: true),
    CertificateRule(.paaMustBeSelfIssued, [.paa], "a PAA's issuer must be its own subject, and its AKID (if any) its own SKID",
                    source: "OpenSSL trust: a trust anchor is trusted when self-signed (EXFLAG_SS)") { f in
        var out = unless(f.certificate.issuer.matchesForChaining(f.certificate.subject),
                         "issuer \"\(f.certificate.issuer)\" differs from subject \"\(f.certificate.subject)\"")
        if let akid = f.akid, let skid = f.skid, akid != skid {
            out.append("AKID \(akid.hexString) differs from SKID \(skid.hexString)")
        }
        return out
    },
]

func signatureAlgorithmFieldsRule(_ types: Set<CertificateType>, issuanceOnly: Bool) -> CertificateRule {
    CertificateRule(.signatureAlgorithmFieldsMustMatch, types, "tbsCertificate.signature must equal signatureAlgorithm",
                    source: "RFC 5280 §4.1.1.2; SDK chain validation (strict)", issuanceOnly: issuanceOnly) { f in
        guard let outer = f.certificate.signatureAlgorithm else { return [] }
        return unless(outer.der == f.certificate.tbsSignatureAlgorithm.der,
                      "tbsCertificate.signature is \(f.certificate.tbsSignatureAlgorithm), signatureAlgorithm is \(outer)")
    }
}

func criticalExtensionRule(_ types: Set<CertificateType>, issuanceOnly: Bool) -> CertificateRule {
    CertificateRule(.criticalExtensionMustBeUnderstood, types, "an extension marked critical must be one the verifier understands",
                    source: "RFC 5280 §4.2; SDK chain validation: unhandled critical extension", issuanceOnly: issuanceOnly) { f in
        f.certificate.extensions.filter { $0.critical && !OID.handledWhenCritical.contains($0.oid) }
            .filter { ![OID.subjectKeyIdentifier, OID.authorityKeyIdentifier].contains($0.oid) }  // their own rules
            .map { "\($0.name) is critical" }
    }
}

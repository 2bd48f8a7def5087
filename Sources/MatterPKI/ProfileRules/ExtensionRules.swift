/// basicConstraints, keyUsage, SKID and AKID per certificate type (matter-attestation.md §1.1 table).
let extensionRules: [CertificateRule] = [
    CertificateRule(.basicConstraintsMustBePresent, allTypes, "basicConstraints must be present",
                    source: "VerifyAttestationCertificateFormat: extBasicPresent") { f in
        unless(!f.extensions(OID.basicConstraints).isEmpty, "no basicConstraints extension")
    },
    CertificateRule(.basicConstraintsMustBeCritical, allTypes, "basicConstraints must be critical",
                    source: "VerifyAttestationCertificateFormat: NID_basic_constraints isCritical") { f in
        unless(f.extensions(OID.basicConstraints).allSatisfy(\.critical), "basicConstraints is not critical")
    },
    CertificateRule(.dacMustNotBeCA, [.dac], "a DAC's basicConstraints must have cA FALSE",
                    source: "VerifyAttestationCertificateFormat kDAC: !isCA") { f in
        unless(f.bc?.isCA != true, "cA is TRUE")
    },
    CertificateRule(.crlSignerMustNotBeCA, [.crlSigner], "a CRL signer's basicConstraints must have cA FALSE and no pathLenConstraint",
                    source: "DCL VerifyCRLSignerCertFormat (matter-revocation.md §1)") { f in
        guard let bc = f.bc else { return [] }
        return unless(!bc.isCA && bc.pathLength == nil, "cA is \(bc.isCA ? "TRUE" : "FALSE")\(bc.pathLength.map { ", pathLenConstraint \($0)" } ?? "")")
    },
    CertificateRule(.crlSignerKeyUsageMustBeCRLSign, [.crlSigner], "a CRL signer's keyUsage must have cRLSign and nothing but cRLSign and digitalSignature",
                    source: "DCL VerifyCRLSignerCertFormat (matter-revocation.md §1)") { f in
        guard let ku = f.ku else { return [] }
        let allowed = KeyUsageValue.cRLSign | KeyUsageValue.digitalSignature
        return unless(ku.bits & KeyUsageValue.cRLSign != 0 && ku.bits & ~allowed == 0, "keyUsage is [\(ku.names.joined(separator: ", "))]")
    },
    CertificateRule(.caMustBeCA, caTypes, "a PAA's or PAI's basicConstraints must have cA TRUE",
                    source: "VerifyAttestationCertificateFormat kPAA/kPAI: isCA") { f in
        guard let bc = f.bc else { return [] }
        return unless(bc.isCA, "cA is FALSE or absent")
    },
    CertificateRule(.paaPathLengthMustBeAbsentOrOne, [.paa], "a PAA's pathLenConstraint must be absent or 1",
                    source: "VerifyAttestationCertificateFormat kPAA (Matter 1.1 §6.2.2.5)") { f in
        guard let bc = f.bc, let p = bc.pathLength else { return [] }
        return unless(p == 1 && bc.isCA, "pathLenConstraint is \(p)")
    },
    CertificateRule(.paiPathLengthMustBeZero, [.pai], "a PAI's pathLenConstraint must be present and 0",
                    source: "VerifyAttestationCertificateFormat kPAI: pathLen == 0") { f in
        guard let bc = f.bc, bc.isCA else { return [] }
        return unless(bc.pathLength == 0, "pathLenConstraint is \(bc.pathLength.map(String.init) ?? "absent")")
    },
    CertificateRule(.dacPathLengthMustBeAbsent, [.dac], "a DAC's basicConstraints must have no pathLenConstraint",
                    source: "VerifyAttestationCertificateFormat kDAC: pathLen == -1") { f in
        guard let p = f.bc?.pathLength else { return [] }
        return ["pathLenConstraint is \(p)"]
    },
    CertificateRule(.keyUsageMustBePresent, allTypes, "keyUsage must be present",
                    source: "VerifyAttestationCertificateFormat: extKeyUsagePresent") { f in
        unless(!f.extensions(OID.keyUsage).isEmpty, "no keyUsage extension")
    },
    CertificateRule(.keyUsageMustBeCritical, allTypes, "keyUsage must be critical",
                    source: "VerifyAttestationCertificateFormat: NID_key_usage isCritical") { f in
        unless(f.extensions(OID.keyUsage).allSatisfy(\.critical), "keyUsage is not critical")
    },
    CertificateRule(.dacKeyUsageMustBeDigitalSignatureOnly, [.dac], "a DAC's keyUsage must be exactly digitalSignature",
                    source: "VerifyAttestationCertificateFormat kDAC: keyUsage == X509v3_KU_DIGITAL_SIGNATURE") { f in
        guard let ku = f.ku else { return [] }
        return unless(ku.bits == KeyUsageValue.digitalSignature, "keyUsage is [\(ku.names.joined(separator: ", "))]")
    },
    CertificateRule(.caKeyUsageMustIncludeKeyCertSignAndCRLSign, caTypes, "a PAA's or PAI's keyUsage must include keyCertSign and cRLSign",
                    source: "VerifyAttestationCertificateFormat kPAA/kPAI: keyCertSignFlag && crlSignFlag") { f in
        guard let ku = f.ku else { return [] }
        let need = KeyUsageValue.keyCertSign | KeyUsageValue.cRLSign
        return unless(ku.bits & need == need, "keyUsage is [\(ku.names.joined(separator: ", "))]")
    },
    CertificateRule(.caKeyUsageMustNotHaveOtherBits, caTypes, "a PAA's or PAI's keyUsage may hold only keyCertSign, cRLSign and digitalSignature",
                    source: "VerifyAttestationCertificateFormat kPAA/kPAI: !otherFlags") { f in
        guard let ku = f.ku else { return [] }
        let allowed = KeyUsageValue.keyCertSign | KeyUsageValue.cRLSign | KeyUsageValue.digitalSignature
        let other = KeyUsageValue(bits: ku.bits & ~allowed)
        return unless(other.bits == 0, "keyUsage also has [\(other.names.joined(separator: ", "))]")
    },
    CertificateRule(.subjectKeyIdentifierMustBePresent, allTypes, "subjectKeyIdentifier must be present",
                    source: "VerifyAttestationCertificateFormat: extSKIDPresent") { f in
        unless(!f.extensions(OID.subjectKeyIdentifier).isEmpty, "no subjectKeyIdentifier extension")
    },
    CertificateRule(.subjectKeyIdentifierMustNotBeCritical, allTypes, "subjectKeyIdentifier must not be critical",
                    source: "VerifyAttestationCertificateFormat: NID_subject_key_identifier !isCritical") { f in
        unless(!f.extensions(OID.subjectKeyIdentifier).contains(where: \.critical), "subjectKeyIdentifier is critical")
    },
    CertificateRule(.subjectKeyIdentifierMustBe20Bytes, allTypes, "subjectKeyIdentifier must be 20 bytes",
                    source: "VerifyAttestationCertificateFormat: kSubjectKeyIdentifierLength") { f in
        guard let skid = f.skid else { return [] }
        return unless(skid.count == 20, "subjectKeyIdentifier is \(skid.count) bytes")
    },
    CertificateRule(.authorityKeyIdentifierMustBePresent, [.pai, .dac, .crlSigner], "authorityKeyIdentifier must be present on a PAI, a DAC and a CRL signer",
                    source: "VerifyAttestationCertificateFormat kDAC/kPAI: extAKIDPresent") { f in
        unless(!f.extensions(OID.authorityKeyIdentifier).isEmpty, "no authorityKeyIdentifier extension")
    },
    CertificateRule(.authorityKeyIdentifierMustNotBeCritical, allTypes, "authorityKeyIdentifier must not be critical",
                    source: "VerifyAttestationCertificateFormat: NID_authority_key_identifier !isCritical") { f in
        unless(!f.extensions(OID.authorityKeyIdentifier).contains(where: \.critical), "authorityKeyIdentifier is critical")
    },
    CertificateRule(.authorityKeyIdentifierMustBe20Bytes, allTypes, "authorityKeyIdentifier must carry a 20-byte keyIdentifier",
                    source: "VerifyAttestationCertificateFormat: kAuthorityKeyIdentifierLength") { f in
        guard case .success(let akid)? = f.authorityKeyIdentifier else { return [] }
        guard let kid = akid.keyIdentifier else { return ["authorityKeyIdentifier has no keyIdentifier"] }
        return unless(kid.count == 20, "authorityKeyIdentifier keyIdentifier is \(kid.count) bytes")
    },
]

/// VID/PID presence per certificate type (matter-attestation.md §1.2, §1.3).
let vidPidRules: [CertificateRule] = [
    CertificateRule(.vidPidEncodingMustBeValid, allTypes, "Matter VID/PID attributes and the Mvid:/Mpid: CN fallback must be well formed",
                    source: "ExtractVIDPIDFromAttributeString / Find16BitUpperCaseHexAfterPrefix: CHIP_ERROR_WRONG_CERT_DN") { f in
        if case .failure(let e) = f.vidPid { return [e.description] }
        return []
    },
    CertificateRule(.dacMustHaveVID, [.dac], "a DAC must carry a VID", source: "DefaultDACVerifier: kDacFormatInvalid / kDacVendorIdMismatch") { f in
        guard let ids = f.ids else { return [] }
        return unless(ids.vid != nil, "no VID in subject \"\(f.certificate.subject)\"")
    },
    CertificateRule(.dacMustHavePID, [.dac], "a DAC must carry a PID", source: "DefaultDACVerifier: kDacProductIdMismatch") { f in
        guard let ids = f.ids else { return [] }
        return unless(ids.pid != nil, "no PID in subject \"\(f.certificate.subject)\"")
    },
    CertificateRule(.paiMustHaveVID, [.pai], "a PAI must carry a VID", source: "DefaultDACVerifier: kDacVendorIdMismatch (PAI VID absent)") { f in
        guard let ids = f.ids else { return [] }
        return unless(ids.vid != nil, "no VID in subject \"\(f.certificate.subject)\"")
    },
    CertificateRule(.paaMustNotHavePID, [.paa], "a PAA must not carry a PID", source: "DefaultDACVerifier: kPaaFormatInvalid (PAA PID present)") { f in
        guard let pid = f.ids?.pid else { return [] }
        return ["PAA carries PID \(pid)"]
    },
]

/// What matter-ca itself issues, beyond what verifiers require (matter-revocation.md §3; issue profile).
let issuanceRules: [CertificateRule] = [
    CertificateRule(.serialNumberMustBePositiveAndAtMost20Bytes, allTypes,
                    "serialNumber must be positive, at most 20 octets, first octet 0x01–0x7F",
                    source: "RFC 5280 §4.1.2.2; matter-revocation.md §3 (OpenSSL and mbedTLS read the same serial)",
                    issuanceOnly: true) { f in
        let s = f.certificate.serialNumber
        return unless(s.count <= 20 && (0x01...0x7F).contains(s[0]),
                      "serialNumber \(s.hexString) (\(s.count) octets, first octet 0x\([s[0]].hexString))")
    },
    CertificateRule(.serialNumberMustHaveAtLeast8Bytes, allTypes, "serialNumber must carry at least 8 random octets",
                    source: "CA/B Forum BR §7.1 practice; chip-cert uses 8", issuanceOnly: true) { f in
        unless(f.certificate.serialNumber.count >= 8, "serialNumber is \(f.certificate.serialNumber.count) octets")
    },
    CertificateRule(.cdpMustBeSingleHTTPURI, allTypes,
                    "cRLDistributionPoints, if present, must be one DistributionPoint with one http(s) fullName URI",
                    source: "ExtractCRLDistributionPointURIFromX509Cert (CHIPCryptoPALOpenSSL.cpp)", issuanceOnly: true) { f in
        f.extensions(OID.crlDistributionPoints).compactMap { e in
            guard let v = try? CRLDistributionPointsValue(e.value) else { return nil }  // extensionMustBeWellFormed
            return v.matterURI == nil ? "cRLDistributionPoints has \(v.pointCount) point(s) without a single http(s) URI" : nil
        }
    },
]

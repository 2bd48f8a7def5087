import Crypto
import Foundation
import MatterPKI

/// The Matter device attestation procedure, in the order of the SDK's `DefaultDACVerifier::
/// VerifyAttestationInformation` followed by the commissioner's revocation stage (matter-attestation.md §2.4),
/// returning the SDK's result code and a reason that names what was found.
public struct AttestationVerifier: Sendable {
    public var trust: TrustStores
    public var revocation: (any RevocationSource)?
    /// Optional checks the SDK leaves to the DCL; nil (off) by default.
    public var cdExpectations: CDExpectations?
    /// Per-PAI results of the checks that do not depend on the DAC; nil disables caching.
    public var cache: PAICache?

    public init(trust: TrustStores, revocation: (any RevocationSource)? = nil, cdExpectations: CDExpectations? = nil,
                cache: PAICache? = nil) {
        self.trust = trust; self.revocation = revocation; self.cdExpectations = cdExpectations; self.cache = cache
    }

    /// The issue's entry point: one call, no state.
    public static func verify(_ input: AttestationInput, trust: TrustStores, revocation: (any RevocationSource)?,
                              at now: Date = Date()) -> AttestationVerdict {
        AttestationVerifier(trust: trust, revocation: revocation).verify(input, at: now)
    }

    public static let maxElementsLength = 900

    public func verify(_ input: AttestationInput, at now: Date = Date()) -> AttestationVerdict {
        // 1–2. Arguments.
        for (name, value) in [("attestation elements", input.attestationElements), ("attestation challenge", input.attestationChallenge),
                              ("attestation signature", input.attestationSignature), ("DAC", input.dac), ("attestation nonce", input.attestationNonce)]
        where value.isEmpty {
            return AttestationVerdict(.invalidArgument, "\(name) is empty")
        }
        guard input.attestationElements.count <= Self.maxElementsLength else {
            return AttestationVerdict(.invalidArgument, "attestation elements are \(input.attestationElements.count) bytes, at most \(Self.maxElementsLength)")
        }
        // 4. PAI present.
        guard !input.pai.isEmpty else { return AttestationVerdict(.paiMissing, "no PAI certificate was provided") }
        // 5–6 (PAI half), 9, 10 and the PAI part of 12 are per PAI: computed once, reported in the SDK's order below.
        let pai = cache?.context(for: input.pai, trust: trust.paas) ?? PAIContext(der: input.pai, trust: trust.paas)
        if let failure = pai.preCheckFailure { return failure }
        guard let paiFacts = pai.facts else { return AttestationVerdict(.paiFormatInvalid, pai.parseError ?? "PAI is not a certificate") }
        if let v = pai.formatViolations.first { return AttestationVerdict(.paiFormatInvalid, describe(v, paiFacts)) }

        // 6. DAC format.
        let dac: ParsedCertificate
        do { dac = try ParsedCertificate(der: input.dac) } catch {
            return AttestationVerdict(.dacFormatInvalid, "DAC: \(error)")
        }
        let dacFacts = CertificateFacts(dac, as: .dac)
        let dacStages = VerificationStages.split(dacFacts)
        if let v = dacStages.format.first { return AttestationVerdict(.dacFormatInvalid, describe(v, dacFacts)) }

        // 7. VID/PID between DAC and PAI.
        let dacIDs: MatterVIDPID
        switch dacFacts.vidPid {
        case .failure(let e): return AttestationVerdict(.dacFormatInvalid, "DAC subject \"\(dac.subject)\": \(e)")
        case .success(let ids): dacIDs = ids
        }
        let paiIDs: MatterVIDPID
        switch paiFacts.vidPid {
        case .failure(let e): return AttestationVerdict(.paiFormatInvalid, "PAI subject \"\(paiFacts.certificate.subject)\": \(e)")
        case .success(let ids): paiIDs = ids
        }
        guard let paiVID = paiIDs.vid, paiVID == dacIDs.vid else {
            return AttestationVerdict(.dacVendorIdMismatch, "DAC VID \(dacIDs.vid.map { "\($0)" } ?? "absent") and PAI VID \(paiIDs.vid.map { "\($0)" } ?? "absent") (\"\(dac.subject)\" / \"\(paiFacts.certificate.subject)\")")
        }
        guard let dacPID = dacIDs.pid else { return AttestationVerdict(.dacProductIdMismatch, "DAC \"\(dac.subject)\" carries no PID") }
        if let paiPID = paiIDs.pid, paiPID != dacPID {
            return AttestationVerdict(.dacProductIdMismatch, "DAC PID \(dacPID) differs from PAI PID \(paiPID)")
        }

        // 8. The attestation signature, SHA-256 over elements ‖ challenge, raw r‖s.
        guard input.attestationSignature.count <= 64 else {
            return AttestationVerdict(.attestationSignatureInvalidFormat, "attestation signature is \(input.attestationSignature.count) bytes; a raw P-256 r‖s is 64")
        }
        var digest = SHA256()
        digest.update(data: input.attestationElements)
        digest.update(data: input.attestationChallenge)
        guard let dacKey = dac.publicKey.p256, input.attestationSignature.count == 64,
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: input.attestationSignature),
              dacKey.isValidSignature(signature, for: digest.finalize()) else {
            return AttestationVerdict(.attestationSignatureInvalid, "the attestation signature (\(input.attestationSignature.count) bytes) does not verify with the DAC key over elements ‖ challenge")
        }

        // 9. The PAA, by the PAI's AKID.
        guard let paaFacts = pai.paa else {
            return AttestationVerdict(.paaNotFound, "no trusted PAA has SKID \(pai.facts?.akid?.hexString ?? "(none)") (the PAI's authorityKeyIdentifier; PAI \"\(paiFacts.certificate.subject)\")")
        }
        // 10. PAA VID/PID.
        switch paaFacts.vidPid {
        case .failure(let e): return AttestationVerdict(.paaFormatInvalid, "PAA subject \"\(paaFacts.certificate.subject)\": \(e)")
        case .success(let ids):
            if let v = ids.vid, v != paiVID { return AttestationVerdict(.paiVendorIdMismatch, "PAI VID \(paiVID) differs from the VID-scoped PAA's VID \(v)") }
            if let p = ids.pid { return AttestationVerdict(.paaFormatInvalid, "PAA \"\(paaFacts.certificate.subject)\" carries PID \(p)") }
        }
        // 11. DAC valid now.
        let t = Int64(now.timeIntervalSince1970.rounded(.down))
        guard dac.notBefore.secondsSince1970 <= t, t < dac.notAfter.secondsSince1970 else {
            return AttestationVerdict(.dacExpired, "DAC validity \(dac.notBefore) … \(dac.notAfter) does not cover now (\(CertificateTime(secondsSince1970: t, encoding: .generalizedTime)))")
        }
        // 12. Chain validation at the DAC's notBefore: any failure is 301, as in the SDK.
        if let v = pai.chainViolations.first ?? chainViolations(dacFacts: dacFacts, dacChain: dacStages.chain, paiFacts: paiFacts, paaFacts: paaFacts).first {
            return AttestationVerdict(.dacSignatureInvalid, "chain validation failed: \(describe(v, v.certificate == .dac ? dacFacts : v.certificate == .pai ? paiFacts : paaFacts))")
        }
        // 13. PAA SKID (the trust store keeps only PAAs with a 20-byte SKID).
        guard let paaSKID = paaFacts.skid, paaSKID.count == 20 else { return AttestationVerdict(.paaFormatInvalid, "PAA has no 20-byte SKID") }

        // 14–15. Elements and nonce.
        let elements: AttestationElements
        do { elements = try AttestationElements(deconstructing: input.attestationElements) } catch {
            return AttestationVerdict(.attestationElementsMalformed, "attestation elements: \(error)")
        }
        guard elements.attestationNonce == input.attestationNonce else {
            return AttestationVerdict(.attestationNonceMismatch, "nonce in the elements \(elements.attestationNonce.hexString) is not the nonce sent \(input.attestationNonce.hexString)")
        }
        // 16. The CD's signature.
        // A CD seen before (the same envelope bytes) had its key identifier read, its signature checked and its
        // content decoded then: one lookup serves all three.
        let envelope = elements.certificationDeclaration
        let seen = cache?.cd(envelope)
        let keyID: [UInt8]
        if let known = seen?.keyID { keyID = known } else {
            do { keyID = try CMSEnvelope.keyID(elements.certificationDeclaration) } catch {
                return AttestationVerdict(.certificationDeclarationNoKeyId, "CD envelope: \(error)")
            }
        }
        let isTestKey = CDSigningKeyStore.isTestKey(keyID)
        guard let (cdKey, cdKeyBytes) = trust.cdKeys.lookupWithBytes(keyID: keyID) else {
            return AttestationVerdict(.certificationDeclarationNoCertificateFound, "no trusted CD signing key has id \(keyID.hexString)")
        }
        if isTestKey && !trust.cdKeys.allowTestKey {
            return AttestationVerdict(.certificationDeclarationNoCertificateFound, "the CD is signed by the test CD key, which this verifier does not accept")
        }
        // One CD serves every device of a product; the verified content counts only under the same key (a trust store
        // reloaded with another key under that identifier verifies again).
        let cd: DecodedCertificationDeclaration
        if let seen, seen.keyBytes == cdKeyBytes { cd = seen.cd } else {
            let content: [UInt8]
            do { content = try CMSEnvelope.verifiedContent(envelope, key: cdKey) } catch {
                return AttestationVerdict(.certificationDeclarationInvalidSignature, "CD envelope (key \(keyID.hexString)): \(error)")
            }
            do { cd = try DecodedCertificationDeclaration(tlv: content) } catch {
                return AttestationVerdict(.certificationDeclarationInvalidFormat, "CD content: \(error)")
            }
            cache?.store(cd, envelope: envelope, keyID: keyID, keyBytes: cdKeyBytes)
        }
        // Newest SDK rule (PR #42464/#42600): the test key signs development CDs, and provisional ones while
        // kEnableCdTestKeysForProvisionalCds holds; an official (or reserved) CD signed by it is refused.
        if isTestKey && trust.cdKeys.testKeyPolicy == .newestSDK
            && !(cd.certificationType == 0 || (cd.certificationType == 1 && trust.cdKeys.allowTestKeyForProvisionalCDs)) {
            return AttestationVerdict(.certificationDeclarationNoCertificateFound, "a CD with certification_type \(cd.certificationType) signed by the test CD key")
        }
        // 17. The CD against the device.
        if let failure = payloadFailure(cd, input: input, dac: dacIDs, pai: paiIDs, paaSKID: paaSKID) { return failure }
        if let e = cdExpectations, let failure = expectationFailure(cd, e) { return failure }

        // 18. Revocation (the commissioner's next stage).
        if let revocation {
            let dacRevoked = revocation.revocation(of: dac), paiRevoked = revocation.revocation(of: paiFacts.certificate)
            switch (dacRevoked, paiRevoked) {
            case let (d?, p?): return AttestationVerdict(.paiAndDacRevoked, "DAC: \(d); PAI: \(p)")
            case let (d?, nil): return AttestationVerdict(.dacRevoked, "DAC \"\(dac.subject)\": \(d)")
            case let (nil, p?): return AttestationVerdict(.paiRevoked, "PAI \"\(paiFacts.certificate.subject)\": \(p)")
            case (nil, nil): break
            }
        }
        return AttestationVerdict(.success, "DAC \"\(dac.subject)\" → PAI \"\(pai.subjects.pai)\" → PAA \"\(pai.subjects.paa)\"; CD \(cd.certificateID) for VID 0x\(VendorID(cd.vendorID).hex)")
    }

    func chainViolations(dacFacts: CertificateFacts, dacChain: [ProfileViolation], paiFacts: CertificateFacts,
                         paaFacts: CertificateFacts) -> [ProfileViolation] {
        var out = dacChain
        out += MatterProfile.lintIssuer(child: dacFacts, issuer: paiFacts).filter { VerificationStages.chainRules.contains($0.rule) }
        let at = dacFacts.certificate.notBefore
        for f in [paaFacts, paiFacts, dacFacts] where !(f.certificate.notBefore <= at && at < f.certificate.notAfter) {
            out.append(ProfileViolation(.chainMustBeValidAtDACNotBefore, f.type,
                                        "validity \(f.certificate.notBefore) … \(f.certificate.notAfter) does not cover the DAC notBefore \(at)"))
        }
        return out
    }

    func payloadFailure(_ cd: DecodedCertificationDeclaration, input: AttestationInput, dac: MatterVIDPID, pai: MatterVIDPID,
                        paaSKID: [UInt8]) -> AttestationVerdict? {
        func hex(_ v: UInt16) -> String { String(format: "0x%04X", v) }
        guard cd.formatVersion == 1, cd.certificationType < 3 else {
            return AttestationVerdict(.attestationElementsMalformed, "CD format_version \(cd.formatVersion) / certification_type \(cd.certificationType) (need 1 / 0–2)")
        }
        guard cd.vendorID == input.vendorID else {
            return AttestationVerdict(.certificationDeclarationInvalidVendorId, "CD vendor_id \(hex(cd.vendorID)) differs from Basic Information VendorID \(hex(input.vendorID))")
        }
        guard cd.containsProductID(input.productID) else {
            return AttestationVerdict(.certificationDeclarationInvalidProductId, "Basic Information ProductID \(hex(input.productID)) is not in the CD's product_id_array \(cd.productIDs.map { String(format: "0x%04X", $0) })")
        }
        let dacVID = dac.vid!.rawValue, dacPID = dac.pid!.rawValue, paiVID = pai.vid!.rawValue
        let paiPID = pai.pid?.rawValue ?? 0  // the SDK reads an absent PAI PID as 0
        if let origin = cd.dacOrigin {
            if dacVID != origin.vendorID { return AttestationVerdict(.certificationDeclarationInvalidVendorId, "DAC VID \(hex(dacVID)) differs from the CD's dac_origin_vendor_id \(hex(origin.vendorID))") }
            if paiVID != origin.vendorID { return AttestationVerdict(.certificationDeclarationInvalidVendorId, "PAI VID \(hex(paiVID)) differs from the CD's dac_origin_vendor_id \(hex(origin.vendorID))") }
            if dacPID != origin.productID { return AttestationVerdict(.certificationDeclarationInvalidProductId, "DAC PID \(hex(dacPID)) differs from the CD's dac_origin_product_id \(hex(origin.productID))") }
            if paiPID != 0 && paiPID != origin.productID { return AttestationVerdict(.certificationDeclarationInvalidProductId, "PAI PID \(hex(paiPID)) differs from the CD's dac_origin_product_id \(hex(origin.productID))") }
        } else {
            if dacVID != cd.vendorID { return AttestationVerdict(.certificationDeclarationInvalidVendorId, "DAC VID \(hex(dacVID)) differs from the CD's vendor_id \(hex(cd.vendorID))") }
            if paiVID != cd.vendorID { return AttestationVerdict(.certificationDeclarationInvalidVendorId, "PAI VID \(hex(paiVID)) differs from the CD's vendor_id \(hex(cd.vendorID))") }
            if !cd.containsProductID(dacPID) { return AttestationVerdict(.certificationDeclarationInvalidProductId, "DAC PID \(hex(dacPID)) is not in the CD's product_id_array") }
            if paiPID != 0 && !cd.containsProductID(paiPID) { return AttestationVerdict(.certificationDeclarationInvalidProductId, "PAI PID \(hex(paiPID)) is not in the CD's product_id_array") }
        }
        if let list = cd.authorizedPAAs, !list.contains(paaSKID) {
            return AttestationVerdict(.certificationDeclarationInvalidPAA, "PAA SKID \(paaSKID.hexString) is not in the CD's authorized_paa_list (\(list.count) entries)")
        }
        return nil
    }

    func expectationFailure(_ cd: DecodedCertificationDeclaration, _ e: CDExpectations) -> AttestationVerdict? {
        func fail(_ field: String, _ got: String, _ want: String) -> AttestationVerdict {
            AttestationVerdict(.certificationDeclarationInvalidFormat, "policy: CD \(field) is \(got), the DCL says \(want)")
        }
        if let v = e.deviceTypeID, v != cd.deviceTypeID { return fail("device_type_id", String(format: "0x%X", cd.deviceTypeID), String(format: "0x%X", v)) }
        if let v = e.certificateID, v != cd.certificateID { return fail("certificate_id", cd.certificateID, v) }
        if let v = e.securityLevel, v != cd.securityLevel { return fail("security_level", "\(cd.securityLevel)", "\(v)") }
        if let v = e.securityInformation, v != cd.securityInformation { return fail("security_information", "\(cd.securityInformation)", "\(v)") }
        if let v = e.versionNumber, v != cd.versionNumber { return fail("version_number", String(format: "0x%X", cd.versionNumber), String(format: "0x%X", v)) }
        return nil
    }

    func describe(_ v: ProfileViolation, _ f: CertificateFacts) -> String {
        "\(v.certificate) \"\(f.certificate.subject)\": \(v.rule.rawValue): \(v.detail)"
    }
}

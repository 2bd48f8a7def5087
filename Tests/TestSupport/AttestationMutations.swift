import AttestationVerifier
import Crypto
import Foundation
import MatterPKI

/// One change to an otherwise valid attestation, at one stage of building it.
public struct AttestationMutation: @unchecked Sendable {
    public let name: String
    var chain: ((inout ForgedChain) -> Void)? = nil
    var cd: ((inout CertificationElements) -> Void)? = nil
    var content: ((inout [UInt8]) -> Void)? = nil
    var cms: ((inout CMSForge) -> Void)? = nil
    var elements: ((inout [TLVElement]) -> Void)? = nil
    var elementBytes: ((inout [UInt8]) -> Void)? = nil
    var signature: ((inout [UInt8]) -> Void)? = nil
    var input: ((inout AttestationInput) -> Void)? = nil
}

/// An attestation under the SDK's test PAA NoVID with a CD signed by the SDK's test CD key (both from ../shared),
/// built stage by stage so that a mutation lands exactly where it is meant to.
public struct SDKAttestationBuilder {
    let paa: ParsedCertificate
    let paaKey: P256.Signing.PrivateKey
    let cdKey: P256.Signing.PrivateKey

    public init() throws {
        paa = try CertificateFile.read(path: SDKTrustFixtures.paaNoVIDCert.path)
        paaKey = try SDKTrustFixtures.privateKey(SDKTrustFixtures.paaNoVIDKey)
        cdKey = try SDKTrustFixtures.privateKey(SDKTrustFixtures.testCDKey)
    }

    public func build(_ m: AttestationMutation, options o: ForgedChain.Options) -> AttestationInput {
        var chain = ForgedChain(o, paa: paa, paaKey: paaKey)
        m.chain?(&chain)
        let der = chain.render()
        var cd = CertificationElements(vendorID: o.vid, productIDs: [o.pid], deviceTypeID: 0x0016, certificateID: "ZIG20142ZB330003-24",
                                       versionNumber: 0x2694, certificationType: 0)
        m.cd?(&cd)
        var content = cd.encodeUnchecked()
        m.content?(&content)
        var cms = CMSForge(content: content, keyID: CDSigningKeyStore.testKeyID, key: cdKey)
        m.cms?(&cms)
        let nonce = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let challenge = (0..<16).map { _ in UInt8.random(in: 0...255) }
        var members = [TLVElement(.context(1), .bytes(cms.der)), TLVElement(.context(2), .bytes(nonce)), TLVElement(.context(3), .unsigned(0))]
        m.elements?(&members)
        var elements = TLVWriter.encode(TLVElement(.anonymous, .structure(members)))
        m.elementBytes?(&elements)
        var signature = Array(try! chain.dacKey.signature(for: SHA256.hash(data: elements + challenge)).rawRepresentation)
        m.signature?(&signature)
        var input = AttestationInput(attestationElements: elements, attestationChallenge: challenge, attestationSignature: signature,
                                     pai: der.pai, dac: der.dac, attestationNonce: nonce, vendorID: o.vid, productID: o.pid)
        m.input?(&input)
        return input
    }

    public static func catalogue() -> [AttestationMutation] {
        var m: [AttestationMutation] = [AttestationMutation(name: "none")]
        // The chain: every PAI and DAC mutation of the lint catalogue (the PAA is the SDK's own).
        for c in ChainMutations.all() where c.name.hasPrefix("pai.") || c.name.hasPrefix("dac.") || c.name.hasPrefix("all.") {
            m.append(AttestationMutation(name: "chain." + c.name, chain: c.apply))
        }
        m += cdMutations() + contentMutations() + cmsMutations() + elementMutations() + deviceMutations()
        return m
    }

    static func cdMutations() -> [AttestationMutation] {
        func cd(_ name: String, _ f: @escaping (inout CertificationElements) -> Void) -> AttestationMutation { AttestationMutation(name: "cd." + name, cd: f) }
        let many = (1...120).map { UInt16($0) }
        return [
            cd("format_version=2") { $0.formatVersion = 2 },
            cd("format_version=0") { $0.formatVersion = 0 },
            cd("vendor_id=other") { $0.vendorID ^= 0xFFFF },
            cd("pids=empty") { $0.productIDs = [] },
            cd("pids=other") { $0.productIDs = [$0.productIDs[0] == 1 ? 2 : 1] },
            cd("pids=120 with target last") { c in c.productIDs = many + [c.productIDs[0]] },
            cd("pids=100 with target first") { c in c.productIDs = [c.productIDs[0]] + Array(many.prefix(99)) },
            cd("certificate_id=18") { $0.certificateID = "ZIG20142ZB330003-2" },
            cd("certificate_id=20") { $0.certificateID = "ZIG20142ZB330003-241" },
            cd("certificate_id=NUL") { $0.certificateID = "ZIG20142ZB330003-2\u{0}" },
            cd("certification_type=1") { $0.certificationType = 1 },
            cd("certification_type=2") { $0.certificationType = 2 },
            cd("certification_type=3") { $0.certificationType = 3 },
            cd("certification_type=255") { $0.certificationType = 255 },
            cd("device_type=other") { $0.deviceTypeID = 0xABCD },
            cd("security_level=9") { $0.securityLevel = 9 },
            cd("security_information=7") { $0.securityInformation = 7 },
            cd("version_number=1") { $0.versionNumber = 1 },
            cd("origin=match") { c in c.dacOriginVendorID = c.vendorID; c.dacOriginProductID = c.productIDs[0] },
            cd("origin=vid-mismatch") { c in c.dacOriginVendorID = c.vendorID ^ 0x0101; c.dacOriginProductID = c.productIDs[0] },
            cd("origin=pid-mismatch") { c in c.dacOriginVendorID = c.vendorID; c.dacOriginProductID = c.productIDs[0] ^ 0x0101 },
            cd("origin=vid-only") { c in c.dacOriginVendorID = c.vendorID },
            cd("origin=pid-only") { c in c.dacOriginProductID = c.productIDs[0] },
            cd("origin=elsewhere, cd vid other") { c in c.dacOriginVendorID = c.vendorID; c.dacOriginProductID = c.productIDs[0]; c.vendorID ^= 0x0F0F },
            cd("paa-list=empty") { $0.authorizedPAAList = [] },
            cd("paa-list=NoVID") { $0.authorizedPAAList = [[UInt8](hex: "785CE705B86B8F4E6FC793AA60CB43EA696882D5")!] },
            cd("paa-list=other") { $0.authorizedPAAList = [[UInt8](repeating: 1, count: 20)] },
            cd("paa-list=11 with NoVID last") { $0.authorizedPAAList = (0..<10).map { [UInt8](repeating: UInt8($0), count: 20) } + [[UInt8](hex: "785CE705B86B8F4E6FC793AA60CB43EA696882D5")!] },
            cd("paa-list=19-byte entry") { $0.authorizedPAAList = [[UInt8](repeating: 1, count: 19)] },
        ]
    }

    /// Changes to the CD TLV bytes themselves (re-signed), for what the encoder would not write.
    static func contentMutations() -> [AttestationMutation] {
        func tlv(_ name: String, _ f: @escaping (inout [UInt8]) -> Void) -> AttestationMutation { AttestationMutation(name: "cd-tlv." + name, content: f) }
        func members(_ name: String, _ f: @escaping (inout [TLVElement]) -> Void) -> AttestationMutation {
            tlv(name) { bytes in
                guard case .structure(var m)? = (try? TLVReader.decode(bytes))?.value else { return }
                f(&m)
                bytes = TLVWriter.encode(TLVElement(.anonymous, .structure(m)))
            }
        }
        return [
            tlv("trailing byte") { $0.append(0x00) },
            tlv("unterminated") { $0.removeLast() },
            tlv("empty") { $0 = [] },
            tlv("not TLV") { $0 = Array("hello".utf8) },
            members("vendor_id as 8-byte uint") { $0[1].encodedWidth = 8 },
            members("vendor_id signed") { $0[1].value = .signed(0x1234) },
            members("vendor_id > 16 bits") { $0[1].value = .unsigned(0x1_0001) },
            members("format_version missing") { $0.remove(at: 0) },
            members("tags 3 and 4 swapped") { $0.swapAt(3, 4) },
            members("pids as list") { if case .array(let a) = $0[2].value { $0[2].value = .list(a) } },
            members("pid entry > 16 bits first") { if case .array(let a) = $0[2].value { $0[2].value = .array([TLVElement(.anonymous, .unsigned(0x1_0000))] + a) } },
            members("pid entry signed") { if case .array(let a) = $0[2].value { $0[2].value = .array(a + [TLVElement(.anonymous, .signed(1))]) } },
            members("certificate_id as bytes") { if case .utf8(let b) = $0[4].value { $0[4].value = .bytes(b) } },
            members("certification_type > 255") { $0[8].value = .unsigned(256) },
            members("unknown tag 12 after 8") { $0.insert(TLVElement(.context(12), .unsigned(1)), at: 9) },
            members("tag 12 then paa list other") { $0.append(TLVElement(.context(12), .unsigned(1))); $0.append(TLVElement(.context(11), .array([TLVElement(.anonymous, .bytes([UInt8](repeating: 3, count: 20)))]))) },
            members("paa list other then origin mismatch") { m in
                m.append(TLVElement(.context(11), .array([TLVElement(.anonymous, .bytes([UInt8](repeating: 3, count: 20)))])))
                m.append(TLVElement(.context(9), .unsigned(1))); m.append(TLVElement(.context(10), .unsigned(1)))
            },
            members("origin 9, 10, 10") { m in m.append(TLVElement(.context(9), .unsigned(1))); m.append(TLVElement(.context(10), .unsigned(1))); m.append(TLVElement(.context(10), .unsigned(1))) },
            members("paa list not an array") { $0.append(TLVElement(.context(11), .bytes([UInt8](repeating: 3, count: 20)))) },
            members("paa list entry is uint") { $0.append(TLVElement(.context(11), .array([TLVElement(.anonymous, .unsigned(3))]))) },
            members("vendor profile tag at end") { $0.append(TLVElement(.fullyQualified(vendor: 0xFFF1, profile: 1, tag: 1), .bytes([1]))) },
            tlv("over 790 bytes") { bytes in
                guard case .structure(var m)? = (try? TLVReader.decode(bytes))?.value else { return }
                m.append(TLVElement(.context(12), .bytes([UInt8](repeating: 0x41, count: 800))))
                bytes = TLVWriter.encode(TLVElement(.anonymous, .structure(m)))
            },
        ]
    }

    static func cmsMutations() -> [AttestationMutation] {
        func env(_ name: String, _ f: @escaping (inout CMSForge) -> Void) -> AttestationMutation { AttestationMutation(name: "cms." + name, cms: f) }
        let other = P256.Signing.PrivateKey()
        return [
            env("trailing bytes") { $0.trailing = [0x00, 0x01, 0x02] },
            env("contentType pkcs7-data") { $0.contentType = CMSForge.pkcs7Data },
            env("version 2") { $0.version = DERWriter.integer(2) },
            env("version 3 non-minimal") { $0.version = DERWriter.integerBytes([0x00, 0x03]) },
            env("digest sha1") { $0.digestAlgorithms = DERWriter.set(CMSForge.sha1) },
            env("digest with NULL params") { $0.digestAlgorithms = DERWriter.set(DERWriter.seq(DERWriter.oid([2, 16, 840, 1, 101, 3, 4, 2, 1]), [0x05, 0x00])) },
            env("two digests") { $0.digestAlgorithms = DERWriter.set(CMSForge.sha256, CMSForge.sha1) },
            env("eContentType MSAC") { $0.eContentType = DERWriter.oid([1, 3, 6, 1, 4, 1, 311, 2, 1, 4]) },
            env("certificates present") { $0.certificates = DERWriter.context(0, DERWriter.seq()) },
            env("signer version 1") { $0.signers[0].version = DERWriter.integer(1) },
            env("sid 19 bytes") { $0.signers[0].sid = DERWriter.tlv(0x80, Array(CDSigningKeyStore.testKeyID.prefix(19))) },
            env("sid constructed") { $0.signers[0].sid = DERWriter.tlv(0xA0, CDSigningKeyStore.testKeyID) },
            env("sid of a CSA key") { $0.signers[0].sid = DERWriter.tlv(0x80, [UInt8](hex: "FE343F959947763B61EE4539131338494FE67D8E")!) },
            env("sid unknown") { $0.signers[0].sid = DERWriter.tlv(0x80, [UInt8](repeating: 0x42, count: 20)) },
            env("signer digest sha1") { $0.signers[0].digestAlgorithm = CMSForge.sha1 },
            env("signer sig alg ecdsa-with-SHA1") { $0.signers[0].signatureAlgorithm = CMSForge.ecdsaSHA1 },
            env("signer sig alg with NULL") { $0.signers[0].signatureAlgorithm = DERWriter.seq(DERWriter.oid(OID.ecdsaWithSHA256), [0x05, 0x00]) },
            env("signed attributes") { $0.signers[0].signedAttributes = DERWriter.context(0, DERWriter.seq(DERWriter.oid([1, 2, 840, 113549, 1, 9, 3]), DERWriter.set(CMSForge.pkcs7Data))) },
            env("unsigned attributes") { $0.signers[0].unsignedAttributes = DERWriter.context(1, DERWriter.seq(DERWriter.oid([1, 2, 3]), DERWriter.set([0x05, 0x00]))) },
            env("two signers") { $0.signers.append($0.signers[0]) },
            env("no signer") { $0.signers = [] },
            env("signature DER broken") { $0.signers[0].signature[1] &+= 1 },
            env("signature r and s swapped") { f in
                if let s = try? P256.Signing.ECDSASignature(derRepresentation: f.signers[0].signature) {
                    let raw = Array(s.rawRepresentation)
                    if let swapped = try? P256.Signing.ECDSASignature(rawRepresentation: raw[32...] + raw[..<32]) { f.signers[0].signature = Array(swapped.derRepresentation) }
                }
            },
            env("signed by another key") { f in f.signers[0].signature = Array(try! other.signature(for: SHA256.hash(data: f.content)).derRepresentation) },
            env("content changed after signing") { $0.content[$0.content.count - 2] ^= 1 },
            env("empty content") { $0.content = [] },
        ]
    }

    static func elementMutations() -> [AttestationMutation] {
        func el(_ name: String, _ f: @escaping (inout [TLVElement]) -> Void) -> AttestationMutation { AttestationMutation(name: "elements." + name, elements: f) }
        func raw(_ name: String, _ f: @escaping (inout [UInt8]) -> Void) -> AttestationMutation { AttestationMutation(name: "elements-bytes." + name, elementBytes: f) }
        return [
            el("no cd") { $0.remove(at: 0) },
            el("no nonce") { $0.remove(at: 1) },
            el("no timestamp") { $0.remove(at: 2) },
            el("nonce before cd") { $0.swapAt(0, 1) },
            el("duplicate timestamp") { $0.append($0[2]) },
            el("firmware info") { $0.append(TLVElement(.context(4), .bytes([1, 2, 3]))) },
            el("firmware info as uint") { $0.append(TLVElement(.context(4), .unsigned(1))) },
            el("future tag 5 struct") { $0.append(TLVElement(.context(5), .structure([TLVElement(.context(1), .unsigned(1))]))) },
            el("tag 0 first") { $0.insert(TLVElement(.context(0), .unsigned(1)), at: 0) },
            el("vendor reserved") { $0.append(TLVElement(.fullyQualified(vendor: 0xFFF1, profile: 0x0003, tag: 1), .bytes([9, 9]))) },
            el("vendor reserved then context 2") { $0.append(TLVElement(.fullyQualified(vendor: 0xFFF1, profile: 0x0003, tag: 1), .bytes([9]))); $0.append(TLVElement(.context(2), .bytes([1]))) },
            el("common profile tag") { $0.append(TLVElement(.commonProfile(7), .bytes([1]))) },
            el("implicit profile tag") { $0.append(TLVElement(.implicitProfile(7), .bytes([1]))) },
            el("timestamp signed") { $0[2].value = .signed(0) },
            el("timestamp 8-byte small") { $0[2].encodedWidth = 8 },
            el("timestamp > 32 bits") { $0[2].value = .unsigned(0x1_0000_0000) },
            el("cd as utf8") { if case .bytes(let b) = $0[0].value { $0[0].value = .utf8(b) } },
            el("nonce as utf8") { if case .bytes(let b) = $0[1].value { $0[1].value = .utf8(b) } },
            el("padding to 901 bytes") { $0.append(TLVElement(.context(5), .bytes([UInt8](repeating: 0, count: 900)))) },
            raw("trailing bytes") { $0 += [0x01, 0x02] },
            raw("unterminated") { $0.removeLast() },
            raw("array instead of structure") { $0[0] = 0x16 },
            raw("list instead of structure") { $0[0] = 0x17 },
            raw("truncated inside cd") { $0 = Array($0.prefix(40)) },
            raw("reserved element type") { $0 += [0x1F] },
            raw("empty") { $0 = [] },
        ]
    }

    static func deviceMutations() -> [AttestationMutation] {
        [
            AttestationMutation(name: "signature.bit flipped", signature: { $0[5] ^= 0x10 }),
            AttestationMutation(name: "signature.63 bytes", signature: { $0.removeLast() }),
            AttestationMutation(name: "signature.65 bytes", signature: { $0.append(0) }),
            AttestationMutation(name: "signature.zeros", signature: { $0 = [UInt8](repeating: 0, count: 64) }),
            AttestationMutation(name: "signature.DER", signature: { s in
                if let sig = try? P256.Signing.ECDSASignature(rawRepresentation: s) { s = Array(sig.derRepresentation) }
            }),
            AttestationMutation(name: "signature.empty", signature: { $0 = [] }),
            AttestationMutation(name: "nonce.sent differs", input: { $0.attestationNonce[31] ^= 1 }),
            AttestationMutation(name: "nonce.sent shorter", input: { $0.attestationNonce.removeLast() }),
            AttestationMutation(name: "nonce.sent empty", input: { $0.attestationNonce = [] }),
            AttestationMutation(name: "challenge.differs", input: { $0.attestationChallenge[0] ^= 1 }),
            AttestationMutation(name: "challenge.empty", input: { $0.attestationChallenge = [] }),
            AttestationMutation(name: "basic-info.vid differs", input: { $0.vendorID ^= 0x0001 }),
            AttestationMutation(name: "basic-info.pid differs", input: { $0.productID ^= 0x0001 }),
            AttestationMutation(name: "pai.empty", input: { $0.pai = [] }),
            AttestationMutation(name: "dac.empty", input: { $0.dac = [] }),
            AttestationMutation(name: "pai.is the dac", input: { $0.pai = $0.dac }),
            AttestationMutation(name: "dac.is the pai", input: { $0.dac = $0.pai }),
        ]
    }
}

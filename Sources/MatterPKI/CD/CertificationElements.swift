/// The Certification Declaration content (matter-attestation.md §2.5.2), as matter-ca writes it.
public struct CertificationElements: Equatable, Sendable {
    public var formatVersion: UInt16 = 1
    public var vendorID: UInt16
    public var productIDs: [UInt16]
    public var deviceTypeID: UInt32
    public var certificateID: String
    public var securityLevel: UInt8 = 0
    public var securityInformation: UInt16 = 0
    public var versionNumber: UInt16
    /// 0 development and test, 1 provisional, 2 official.
    public var certificationType: UInt8
    public var dacOriginVendorID: UInt16?
    public var dacOriginProductID: UInt16?
    public var authorizedPAAList: [[UInt8]]?

    public static let certificateIDLength = 19
    public static let maxProductIDs = 100
    public static let maxAuthorizedPAAs = 10

    public init(vendorID: UInt16, productIDs: [UInt16], deviceTypeID: UInt32, certificateID: String, versionNumber: UInt16,
                certificationType: UInt8) {
        self.vendorID = vendorID; self.productIDs = productIDs; self.deviceTypeID = deviceTypeID
        self.certificateID = certificateID; self.versionNumber = versionNumber; self.certificationType = certificationType
    }

    public enum EncodingError: Error, Equatable, CustomStringConvertible {
        case productIDCount(Int), certificateIDLength(Int), authorizedPAACount(Int), authorizedPAALength(Int)
        case dacOriginIncomplete, zeroVendorID, zeroProductID, certificationTypeReserved(UInt8)
        public var description: String {
            switch self {
            case .productIDCount(let n): return "product_id_array must hold 1…100 PIDs, has \(n)"
            case .certificateIDLength(let n): return "certificate_id must be 19 characters, is \(n)"
            case .authorizedPAACount(let n): return "authorized_paa_list must hold 1…10 SKIDs, has \(n)"
            case .authorizedPAALength(let n): return "an authorized PAA SKID must be 20 bytes, one is \(n)"
            case .dacOriginIncomplete: return "dac_origin_vendor_id and dac_origin_product_id go together"
            case .zeroVendorID: return "vendor_id 0 is not a vendor"
            case .zeroProductID: return "PID 0 is not a product"
            case .certificationTypeReserved(let t): return "certification_type \(t) is reserved (0, 1 or 2)"
            }
        }
    }

    /// The TLV, refusing what the SDK's encoder refuses (`EncodeCertificationElements`, chip-cert gen-cd).
    public func encode() throws(EncodingError) -> [UInt8] {
        guard (1...Self.maxProductIDs).contains(productIDs.count) else { throw .productIDCount(productIDs.count) }
        guard !productIDs.contains(0) else { throw .zeroProductID }
        guard vendorID != 0 else { throw .zeroVendorID }
        guard certificateID.utf8.count == Self.certificateIDLength else { throw .certificateIDLength(certificateID.utf8.count) }
        guard certificationType <= 2 else { throw .certificationTypeReserved(certificationType) }
        guard (dacOriginVendorID == nil) == (dacOriginProductID == nil) else { throw .dacOriginIncomplete }
        if let list = authorizedPAAList {
            guard (1...Self.maxAuthorizedPAAs).contains(list.count) else { throw .authorizedPAACount(list.count) }
            if let bad = list.first(where: { $0.count != 20 }) { throw .authorizedPAALength(bad.count) }
        }
        return encodeUnchecked()
    }

    /// The TLV as given, for tests that need CDs the encoder refuses.
    public func encodeUnchecked() -> [UInt8] {
        func u(_ t: UInt8, _ v: UInt64) -> TLVElement { TLVElement(.context(t), .unsigned(v)) }
        var m: [TLVElement] = [
            u(0, UInt64(formatVersion)), u(1, UInt64(vendorID)),
            TLVElement(.context(2), .array(productIDs.map { TLVElement(.anonymous, .unsigned(UInt64($0))) })),
            u(3, UInt64(deviceTypeID)), TLVElement(.context(4), .utf8(Array(certificateID.utf8))),
            u(5, UInt64(securityLevel)), u(6, UInt64(securityInformation)), u(7, UInt64(versionNumber)), u(8, UInt64(certificationType)),
        ]
        if let v = dacOriginVendorID { m.append(u(9, UInt64(v))) }
        if let p = dacOriginProductID { m.append(u(10, UInt64(p))) }
        if let list = authorizedPAAList {
            m.append(TLVElement(.context(11), .array(list.map { TLVElement(.anonymous, .bytes($0)) })))
        }
        return TLVWriter.encode(TLVElement(.anonymous, .structure(m)))
    }
}

/// The CD content as the SDK's verifier reads it (`DecodeCertificationElements` into
/// `CertificationElementsWithoutPIDs`, then `CertificationElementsDecoder` for the PID and PAA lookups) —
/// including its leniencies, so that verdicts match code for code (matter-attestation.md §2.5.2).
public struct DecodedCertificationDeclaration: Sendable {
    public let formatVersion: UInt16
    public let vendorID: UInt16
    public let deviceTypeID: UInt32
    public let certificateID: String
    public let securityLevel: UInt8
    public let securityInformation: UInt16
    public let versionNumber: UInt16
    public let certificationType: UInt8
    /// Present only when tags 9 and 10 come right after tag 8.
    public let dacOrigin: (vendorID: UInt16, productID: UInt16)?
    /// Present (possibly empty) only when tag 11 follows tag 8 or the origin pair.
    public let authorizedPAAs: [[UInt8]]?
    /// The product_id_array entries as encoded (any unsigned value).
    let productIDEntries: [UInt64]

    public static let maxEncodedLength = 790

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    public init(tlv: [UInt8]) throws {
        guard tlv.count <= Self.maxEncodedLength else { throw Failure(description: "CD content is \(tlv.count) bytes, over \(Self.maxEncodedLength)") }
        let root: TLVElement
        do { root = try TLVReader.decode(tlv) } catch { throw Failure(description: "\(error)") }
        guard root.tag == .anonymous, case .structure(let m) = root.value else { throw Failure(description: "CD content is not an anonymous structure") }
        var i = 0
        func next(_ tag: UInt8) throws -> TLVElement {
            guard i < m.count else { throw Failure(description: "tag \(tag) missing") }
            guard m[i].tag == .context(tag) else { throw Failure(description: "expected tag \(tag), found \(m[i].tag)") }
            defer { i += 1 }
            return m[i]
        }
        func uint(_ tag: UInt8, max: UInt64) throws -> UInt64 {
            let e = try next(tag)
            guard let v = e.unsigned else { throw Failure(description: "tag \(tag) is not an unsigned integer") }
            guard v <= max else { throw Failure(description: "tag \(tag) value \(v) exceeds \(max)") }
            return v
        }
        formatVersion = UInt16(try uint(0, max: 0xFFFF))
        vendorID = UInt16(try uint(1, max: 0xFFFF))
        let pids = try next(2)
        guard case .array(let entries) = pids.value else { throw Failure(description: "product_id_array is not an array") }
        productIDEntries = try entries.map { e in
            guard let v = e.unsigned else { throw Failure(description: "a product_id_array entry is not an unsigned integer") }
            return v
        }
        deviceTypeID = UInt32(try uint(3, max: 0xFFFF_FFFF))
        let cid = try next(4)
        guard let idBytes = cid.utf8 else { throw Failure(description: "certificate_id is not a UTF-8 string") }
        guard idBytes.count == CertificationElements.certificateIDLength, !idBytes.contains(0) else {
            throw Failure(description: "certificate_id is \(idBytes.count) bytes, must be 19")
        }
        certificateID = String(decoding: idBytes, as: UTF8.self)
        securityLevel = UInt8(try uint(5, max: 0xFF))
        securityInformation = UInt16(try uint(6, max: 0xFFFF))
        versionNumber = UInt16(try uint(7, max: 0xFFFF))
        certificationType = UInt8(try uint(8, max: 0xFF))

        var origin: (UInt16, UInt16)?
        if i < m.count, m[i].tag == .context(9) {
            let v = UInt16(try uint(9, max: 0xFFFF))
            let p = UInt16(try uint(10, max: 0xFFFF))
            origin = (v, p)
        }
        if i < m.count, m[i].tag == .context(10) { throw Failure(description: "dac_origin_product_id without dac_origin_vendor_id") }
        var paas: [[UInt8]]?
        if i < m.count, m[i].tag == .context(11) {
            guard case .array(let list) = m[i].value else { throw Failure(description: "authorized_paa_list is not an array") }
            paas = try list.map { e in
                guard let b = e.bytes else { throw Failure(description: "an authorized_paa_list entry is not a byte string") }
                guard b.count == 20 else { throw Failure(description: "an authorized_paa_list entry is \(b.count) bytes, must be 20") }
                return b
            }
        }
        dacOrigin = origin.map { (vendorID: $0.0, productID: $0.1) }
        authorizedPAAs = paas
    }

    /// `IsProductIdIn`: scans entries in order and stops at the first that does not fit 16 bits.
    public func containsProductID(_ pid: UInt16) -> Bool {
        for e in productIDEntries {
            guard e <= 0xFFFF else { return false }
            if e == UInt64(pid) { return true }
        }
        return false
    }

    public var productIDs: [UInt64] { productIDEntries }

    /// `HasAuthorizedPAA`.
    public func authorizes(paaSKID: [UInt8]) -> Bool { authorizedPAAs?.contains(paaSKID) ?? false }
}

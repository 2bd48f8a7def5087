/// AttestationElements (matter-attestation.md §2.2): what a device signs during attestation.
public struct AttestationElements: Equatable, Sendable {
    public var certificationDeclaration: [UInt8]
    public var attestationNonce: [UInt8]
    public var timestamp: UInt32
    public var firmwareInformation: [UInt8]?
    /// Vendor-reserved elements (fully qualified profile tags), in order.
    public var vendorReserved: [(vendor: UInt16, profile: UInt16, tag: UInt32, value: [UInt8])]

    public init(certificationDeclaration: [UInt8], attestationNonce: [UInt8], timestamp: UInt32 = 0,
                firmwareInformation: [UInt8]? = nil, vendorReserved: [(vendor: UInt16, profile: UInt16, tag: UInt32, value: [UInt8])] = []) {
        self.certificationDeclaration = certificationDeclaration; self.attestationNonce = attestationNonce
        self.timestamp = timestamp; self.firmwareInformation = firmwareInformation; self.vendorReserved = vendorReserved
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.certificationDeclaration == b.certificationDeclaration && a.attestationNonce == b.attestationNonce
            && a.timestamp == b.timestamp && a.firmwareInformation == b.firmwareInformation
            && a.vendorReserved.elementsEqual(b.vendorReserved) { $0.vendor == $1.vendor && $0.profile == $1.profile && $0.tag == $1.tag && $0.value == $1.value }
    }

    public static let maxEncodedLength = 900
    public static let nonceLength = 32

    public func encode() -> [UInt8] {
        var m = [TLVElement(.context(1), .bytes(certificationDeclaration)), TLVElement(.context(2), .bytes(attestationNonce)),
                 TLVElement(.context(3), .unsigned(UInt64(timestamp)))]
        if let f = firmwareInformation, !f.isEmpty { m.append(TLVElement(.context(4), .bytes(f))) }
        for v in vendorReserved { m.append(TLVElement(.fullyQualified(vendor: v.vendor, profile: v.profile, tag: v.tag), .bytes(v.value))) }
        return TLVWriter.encode(TLVElement(.anonymous, .structure(m)))
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    /// `DeconstructAttestationElements`, with its exact leniencies: bytes after the structure and a missing final
    /// end-of-container are ignored; context tags must start at 1 and increase; tags 1–3 are required; unknown
    /// context tags are skipped; the walk stops at the first non-context tag. The nonce length is not checked here.
    public init(deconstructing bytes: [UInt8]) throws {
        let root: TLVElement
        do { root = try TLVReader.decodeFirst(bytes, allowUnterminatedAtEnd: true).0 } catch { throw Failure(description: "\(error)") }
        guard root.tag == .anonymous, case .structure(let members) = root.value else {
            throw Failure(description: "attestation elements are not an anonymous structure")
        }
        var last: UInt8 = 0
        var cd: [UInt8]?, nonce: [UInt8]?, ts: UInt32?, fw: [UInt8]?
        var vendor: [(vendor: UInt16, profile: UInt16, tag: UInt32, value: [UInt8])] = []
        var inContext = true
        for e in members {
            guard inContext, case .context(let n) = e.tag else {
                inContext = false
                if case .fullyQualified(let v, let p, let t) = e.tag { vendor.append((v, p, t, e.bytes ?? [])) }
                if case .commonProfile(let t) = e.tag { vendor.append((0, 0, t, e.bytes ?? [])) }
                continue
            }
            if last == 0 { guard n == 1 else { throw Failure(description: "first context tag is \(n), not 1") } }
            else { guard n > last else { throw Failure(description: "context tag \(n) after \(last)") } }
            last = n
            switch n {
            case 1: guard let b = e.bytes else { throw Failure(description: "certification_declaration is not a byte string") }; cd = b
            case 2: guard let b = e.bytes else { throw Failure(description: "attestation_nonce is not a byte string") }; nonce = b
            case 3:
                guard let v = e.unsigned, v <= UInt64(UInt32.max) else { throw Failure(description: "timestamp is not a 32-bit unsigned integer") }
                ts = UInt32(v)
            case 4: guard let b = e.bytes else { throw Failure(description: "firmware_information is not a byte string") }; fw = b
            default: break
            }
        }
        guard let cd, let nonce, let ts else {
            throw Failure(description: "missing \(cd == nil ? "certification_declaration (1)" : nonce == nil ? "attestation_nonce (2)" : "timestamp (3)")")
        }
        self.init(certificationDeclaration: cd, attestationNonce: nonce, timestamp: ts, firmwareInformation: fw, vendorReserved: vendor)
    }
}

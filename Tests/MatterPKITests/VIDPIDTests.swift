import MatterPKI
import SwiftASN1
import Testing
import TestSupport

/// The SDK's VID/PID extraction, case by case (matter-attestation.md §1.2).
@Suite struct VIDPIDTests {
    static func name(_ attrs: [(ASN1ObjectIdentifier, String)]) throws -> Name {
        let der = DERWriter.name(attrs.map { ($0.0, DERWriter.utf8($0.1)) })
        return try Name(derEncoded: DER.parse(der), field: "subject")
    }
    static let cn = OID.commonName, vid = OID.matterVID, pid = OID.matterPID

    @Test func attributes() throws {
        let ids = try MatterVIDPID.extract(from: Self.name([(Self.cn, "x"), (Self.vid, "FFF1"), (Self.pid, "8000")]))
        #expect(ids == MatterVIDPID(vid: VendorID(0xFFF1), pid: ProductID(0x8000), source: .attributes))
    }

    @Test func commonNameFallbackScansLeftToRightAndIgnoresTrailingCharacters() throws {
        let ids = try MatterVIDPID.extract(from: Self.name([(Self.cn, "ACME Mpid:00B1 x Mvid:FFF10")]))
        #expect(ids == MatterVIDPID(vid: VendorID(0xFFF1), pid: ProductID(0x00B1), source: .commonNameFallback))
        let second = try MatterVIDPID.extract(from: Self.name([(Self.cn, "Mvid:XYZW then Mvid:FFF2")]))
        #expect(second.vid == VendorID(0xFFF2), "a prefix without a value is skipped when a later one is valid")
    }

    @Test func onlyTheFirst64BytesAreRead() throws {
        let pad = String(repeating: "p", count: 55)
        #expect(try MatterVIDPID.extract(from: Self.name([(Self.cn, pad + "Mvid:FFF1")])).vid == VendorID(0xFFF1))  // ends at byte 64
        #expect(throws: MatterVIDPID.EncodingError.self) { try MatterVIDPID.extract(from: Self.name([(Self.cn, pad + "xMvid:FFF1")])) }
        #expect(try MatterVIDPID.extract(from: Self.name([(Self.cn, pad + "xxxxxxMvid:FFF1")])).source == .none, "prefix past byte 64 is unseen")
    }

    @Test func attributesTakePrecedenceOverTheCommonName() throws {
        let ids = try MatterVIDPID.extract(from: Self.name([(Self.cn, "Mvid:1111 Mpid:2222"), (Self.pid, "8000")]))
        #expect(ids == MatterVIDPID(vid: nil, pid: ProductID(0x8000), source: .attributes), "VID only in the CN is discarded")
    }

    @Test func prefixesAreCaseSensitive() throws {
        #expect(try MatterVIDPID.extract(from: Self.name([(Self.cn, "MVID:FFF1 mpid:8000")])).source == .none)
    }

    @Test(arguments: [
        ([(cn, "x"), (vid, "fff1")], MatterVIDPID.EncodingError.attributeNotFourUppercaseHex(attribute: "MatterVID", value: "fff1")),
        ([(cn, "x"), (vid, "FFF")], .attributeNotFourUppercaseHex(attribute: "MatterVID", value: "FFF")),
        ([(cn, "x"), (pid, "80000")], .attributeNotFourUppercaseHex(attribute: "MatterPID", value: "80000")),
        ([(vid, "FFF1"), (vid, "FFF1")], .attributeRepeated(attribute: "MatterVID")),
        ([(pid, "0001"), (pid, "0002")], .attributeRepeated(attribute: "MatterPID")),
        ([(cn, "")], .attributeEmpty(attribute: "CN")),
        ([(cn, "Dev Mvid:fff1")], .commonNamePrefixWithoutValue(prefix: "Mvid:", commonName: "Dev Mvid:fff1")),
        ([(cn, "Dev Mvid:zz"), (vid, "FFF1")], .commonNamePrefixWithoutValue(prefix: "Mvid:", commonName: "Dev Mvid:zz")),
    ] as [([(ASN1ObjectIdentifier, String)], MatterVIDPID.EncodingError)])
    func malformedEncodingsAreRefusedPrecisely(_ attrs: [(ASN1ObjectIdentifier, String)], _ error: MatterVIDPID.EncodingError) throws {
        let n = try Self.name(attrs)
        #expect(throws: error) { try MatterVIDPID.extract(from: n) }
    }

    @Test func operatorHexIsLenientButDNHexIsNot() {
        #expect(VendorID(hex: "fff1") == VendorID(0xFFF1) && VendorID(hex: "0xFFF1") == VendorID(0xFFF1))
        #expect(VendorID(hex: "FFFF1") == nil && VendorID(hex: "") == nil && VendorID(hex: "xyz") == nil)
        #expect(ProductID(0x00B1).hex == "00B1")
    }
}

import MatterPKI
import Testing

@Suite struct TLVTests {
    @Test func roundTripsEveryTypeAndTagForm() throws {
        let e = TLVElement(.anonymous, .structure([
            TLVElement(.context(1), .unsigned(0xFF)), TLVElement(.context(2), .unsigned(0x1_0000)), TLVElement(.context(3), .signed(-129)),
            TLVElement(.context(4), .bool(true)), TLVElement(.context(5), .utf8(Array("héllo".utf8))), TLVElement(.context(6), .bytes([1, 2, 3])),
            TLVElement(.context(7), .null), TLVElement(.context(8), .array([TLVElement(.anonymous, .unsigned(1))])),
            TLVElement(.context(9), .list([TLVElement(.context(1), .bool(false))])),
            TLVElement(.commonProfile(0x1_0000), .float(0x3F80_0000)), TLVElement(.fullyQualified(vendor: 0xFFF1, profile: 2, tag: 3), .double(1)),
            TLVElement(.fullyQualified(vendor: 0xFFF1, profile: 2, tag: 0x1_0000), .bytes([UInt8](repeating: 9, count: 300))),
        ]))
        let bytes = TLVWriter.encode(e)
        var decoded = try TLVReader.decode(bytes)
        // Widths are recorded on decode; compare values.
        func strip(_ x: TLVElement) -> TLVElement {
            var y = x
            y.encodedWidth = 0
            switch x.value {
            case .structure(let m): y.value = .structure(m.map(strip))
            case .array(let m): y.value = .array(m.map(strip))
            case .list(let m): y.value = .list(m.map(strip))
            default: break
            }
            return y
        }
        decoded = strip(decoded)
        #expect(decoded == strip(e))
    }

    @Test func integersUseTheSmallestWidth() {
        #expect(TLVWriter.encode(TLVElement(.context(1), .unsigned(0xFFF1))) == [0x25, 0x01, 0xF1, 0xFF])
        #expect(TLVWriter.encode(TLVElement(.context(0), .unsigned(1))) == [0x24, 0x00, 0x01])
        #expect(TLVWriter.encode(TLVElement(.anonymous, .signed(-1))) == [0x00, 0xFF])
    }

    /// The CD of the SDK's struct_cd_official_cd vector, byte for byte (matter-attestation.md §2.5.2).
    @Test func encodesTheSDKExampleCD() throws {
        var cd = CertificationElements(vendorID: 0xFFF1, productIDs: [0x8000], deviceTypeID: 0x1234, certificateID: "ZIG20141ZB330001-24",
                                       versionNumber: 0x9876, certificationType: 2)
        cd.securityLevel = 0; cd.securityInformation = 0
        let expected = [UInt8](hex: "152400012501F1FF360205008018250334122C04135A494732303134315A423333303030312D3234240500240600250776982408021 8".replacingOccurrences(of: " ", with: ""))!
        #expect(try cd.encode() == expected)
        let d = try DecodedCertificationDeclaration(tlv: expected)
        #expect(d.vendorID == 0xFFF1 && d.containsProductID(0x8000) && d.certificationType == 2 && d.certificateID == "ZIG20141ZB330001-24")
    }

    @Test(arguments: [
        ([0x1F], "reserved element type"),
        ([0x10, 0x05, 0x01], "runs past the end"),
        ([0x15, 0x24, 0x01], "needs 1 bytes"),
        ([0x15, 0x04, 0x01, 0x18], "anonymous member in a structure"),
        ([0x24, 0x01, 0x01], "context tag at top level"),
        ([0x16, 0x24, 0x01, 0x01, 0x18], "array member with a tag"),
        ([0x95, 0x01, 0x00, 0x18], "implicit-profile tag"),
        ([0x15, 0x18, 0x00], "trailing bytes"),
        ([0x15], "container not closed"),
        ([0x18], "end-of-container outside a container"),
    ] as [([UInt8], String)])
    func malformedTLVIsRefusedPrecisely(_ bytes: [UInt8], _ reason: String) {
        do {
            _ = try TLVReader.decode(bytes)
            Issue.record("\(bytes) decoded")
        } catch {
            #expect(error.reason.contains(reason), "\(bytes): \(error)")
        }
    }

    @Test func nestingIsBounded() {
        let deep = [UInt8](repeating: 0x17, count: 40) + [UInt8](repeating: 0x18, count: 40)
        #expect(throws: TLVError.self) { try TLVReader.decode(deep) }
    }

    @Test func encoderRefusesWhatTheSDKEncoderRefuses() {
        func cd(_ f: (inout CertificationElements) -> Void) -> CertificationElements {
            var c = CertificationElements(vendorID: 0xFFF1, productIDs: [1], deviceTypeID: 1, certificateID: "ZIG20142ZB330003-24", versionNumber: 1, certificationType: 0)
            f(&c)
            return c
        }
        #expect(throws: CertificationElements.EncodingError.productIDCount(0)) { try cd { $0.productIDs = [] }.encode() }
        #expect(throws: CertificationElements.EncodingError.productIDCount(101)) { try cd { $0.productIDs = (1...101).map(UInt16.init) }.encode() }
        #expect(throws: CertificationElements.EncodingError.certificateIDLength(5)) { try cd { $0.certificateID = "short" }.encode() }
        #expect(throws: CertificationElements.EncodingError.dacOriginIncomplete) { try cd { $0.dacOriginVendorID = 1 }.encode() }
        #expect(throws: CertificationElements.EncodingError.authorizedPAACount(11)) { try cd { $0.authorizedPAAList = (0..<11).map { _ in [UInt8](repeating: 0, count: 20) } }.encode() }
        #expect(throws: CertificationElements.EncodingError.certificationTypeReserved(3)) { try cd { $0.certificationType = 3 }.encode() }
    }
}

import Crypto
@testable import Custody
import Testing

@Suite struct ShareFormatTests {
    static let setID: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
    static let salt: [UInt8] = Array(0xA0...0xAF)
    static let coefficients: [UInt8] = [0x83, 0x13] + Array(0x40..<0x50)  // secret bytes, then salt bytes

    /// The whole format rebuilt independently: fields, commitment and check from SHA-256 in the test.
    @Test("Known share text for a scripted split: every field as specified")
    func knownShares() throws {
        var rng = ScriptedRNG(bytes: Self.setID + Self.salt + Self.coefficients)
        let shares = try SecretSharing.split([0x53, 0xCA], threshold: 2, count: 3, using: &rng)
        var hash = SHA256()
        hash.update(data: Array("mca-share-v1 commitment".utf8) + Self.setID + Self.salt + [0x53, 0xCA])
        let commitment = hex(Array(hash.finalize().prefix(8)))
        let expectedSecretPart = ["d0d9", "4eec", "cdff"]
        for (i, share) in shares.enumerated() {
            let x = UInt8(i + 1)
            let f = fields(share.encoded)
            #expect(f.count == 9)
            #expect(f[0...2] == ["mca", "share", "v1"])
            #expect(f[3] == "0102030405060708" && share.setID == f[3])
            #expect(f[4] == "02" && f[5] == "0\(x)")
            #expect(f[6] == commitment)
            let saltPart = (0..<16).map { Self.salt[$0] ^ GF256.mul(Self.coefficients[2 + $0], x) }
            #expect(f[7] == expectedSecretPart[i] + hex(saltPart))
            #expect(share.encoded == reencode(f))
        }
        #expect(try SecretSharing.combine([shares[2].encoded, shares[0].encoded]) == [0x53, 0xCA])
    }

    @Test("Reading ignores whitespace and case; a read share encodes back to the same text")
    func tolerantReading() throws {
        let share = try SecretSharing.split(Array("4242".utf8), threshold: 2, count: 2)[1]
        let typed = share.encoded.uppercased().enumerated().map { $0.offset % 5 == 4 ? "\($0.element) " : "\($0.element)" }.joined() + "\n"
        let read = try Share(encoded: typed)
        #expect(read.encoded == share.encoded)
        #expect(read.x == 2 && read.threshold == 2 && read.setID == share.setID)
    }

    @Test("Every single hex digit changed anywhere is detected before combining and names the share")
    func everyFlipDetected() throws {
        let secret = Array("31415926".utf8)
        let shares = try SecretSharing.split(secret, threshold: 3, count: 4).map(\.encoded)
        let original = Array(shares[1])
        let start = "mca-share-v1-".count
        var checked = 0
        for i in start..<original.count where original[i] != "-" {
            for digit in "0123456789abcdef" where digit != original[i] {
                var mutated = original
                mutated[i] = digit
                let text = String(mutated)
                let xAsRead = UInt8(fields(text)[5], radix: 16)!
                #expect(throws: CustodyError.corruptedShare(position: 2, x: xAsRead)) {
                    try SecretSharing.combine([shares[0], text, shares[2]])
                }
                checked += 1
            }
        }
        #expect(checked == (original.count - start - 5) * 15)
        // The share named is the true x=2 whenever x itself was not the digit changed.
        #expect(throws: CustodyError.corruptedShare(position: 3, x: 2)) {
            try SecretSharing.combine([shares[0], shares[2], String(original.dropLast()) + (original.last == "0" ? "1" : "0")])
        }
    }

    @Test("Unknown versions, foreign text and broken structure are refused by name")
    func formatErrors() throws {
        let share = try SecretSharing.split([9, 9, 9], threshold: 2, count: 3)[2].encoded
        let f = fields(share)
        #expect(throws: CustodyError.unsupportedVersion(position: 2, version: "v2")) {
            try SecretSharing.combine([share, share.replacing("-v1-", with: "-v2-")])
        }
        #expect(throws: CustodyError.unrecognizedShare(position: 1)) { try Share(encoded: "hello world") }
        #expect(throws: CustodyError.unrecognizedShare(position: 1)) { try Share(encoded: "") }
        #expect(throws: CustodyError.malformedShare(position: 1, x: 3, problem: "expected 9 dash-separated fields, found 8")) {
            try Share(encoded: f.dropLast().joined(separator: "-"))
        }
        var odd = f; odd[7].removeLast()
        #expect(throws: CustodyError.malformedShare(position: 4, x: 3, problem: "the payload is not an even number of hex digits of plausible length")) {
            try Share(encoded: odd.joined(separator: "-"), position: 4)
        }
        var notHex = f; notHex[3] = "zz" + notHex[3].dropFirst(2)
        #expect(throws: CustodyError.malformedShare(position: 1, x: 3, problem: "the set ID is not 16 hex digits")) {
            try Share(encoded: notHex.joined(separator: "-"))
        }
        // Values only a forger could produce (the check is recomputed): x = 0 and M = 0.
        var zeroX = f; zeroX[5] = "00"
        #expect(throws: CustodyError.malformedShare(position: 1, x: 0, problem: "x is 0, which would be the secret itself")) {
            try Share(encoded: reencode(zeroX))
        }
        var zeroM = f; zeroM[4] = "00"
        #expect(throws: CustodyError.malformedShare(position: 1, x: 3, problem: "the quorum is 0")) {
            try Share(encoded: reencode(zeroM))
        }
    }

    @Test("A share given twice, or two shares with the same x, are named")
    func duplicates() throws {
        let shares = try SecretSharing.split([7, 7], threshold: 2, count: 3).map(\.encoded)
        #expect(throws: CustodyError.duplicateShare(position: 3, x: 1, firstPosition: 1)) {
            try SecretSharing.combine([shares[0], shares[1], shares[0]])
        }
        // Same x, different (forged) payload: still a duplicate, refused before combining.
        var f = fields(shares[1]); f[7] = "ff" + f[7].dropFirst(2)
        #expect(throws: CustodyError.duplicateShare(position: 2, x: 2, firstPosition: 1)) {
            try SecretSharing.combine([shares[1], reencode(f)])
        }
    }

    @Test("Shares of two splits are never combined")
    func mixedSets() throws {
        let a = try SecretSharing.split([1, 2, 3], threshold: 2, count: 3)
        let b = try SecretSharing.split([1, 2, 3], threshold: 2, count: 3)
        #expect(throws: CustodyError.mixedSets(position: 2, x: 2, setID: b[1].setID, expectedSetID: a[0].setID)) {
            try SecretSharing.combine([a[0].encoded, b[1].encoded])
        }
    }

    @Test("A payload altered with a recomputed check passes reading, then fails the commitment",
          arguments: [0, 3, 20])  // byte altered: in the secret part, or in the salt part
    func alteredPayload(byte: Int) throws {
        let secret = Array("98765432".utf8)
        let shares = try SecretSharing.split(secret, threshold: 2, count: 3).map(\.encoded)
        var f = fields(shares[2])
        var payload = bytes(hex: f[7]); payload[byte] ^= 0x01; f[7] = hex(payload)
        let forged = reencode(f)
        _ = try Share(encoded: forged)  // its check is consistent: only the commitment can tell
        #expect(throws: CustodyError.commitmentMismatch(setID: f[3], xs: [1, 3])) {
            try SecretSharing.combine([shares[0], forged])
        }
        #expect(try SecretSharing.combine([shares[0], shares[2]]) == secret)
        // A forged share beyond the quorum is not ignored: every share given is interpolated and vouched for.
        #expect(throws: CustodyError.commitmentMismatch(setID: f[3], xs: [1, 2, 3])) {
            try SecretSharing.combine([shares[0], shares[1], forged])
        }
    }

    @Test("A share edited to claim another quorum, commitment or length is refused as inconsistent")
    func inconsistent() throws {
        let shares = try SecretSharing.split(Array("0000".utf8), threshold: 2, count: 3).map(\.encoded)
        var m = fields(shares[1]); m[4] = "03"
        var c = fields(shares[1]); c[6] = String(repeating: "0", count: 16)
        var l = fields(shares[1]); l[7] += "00"
        for (forged, field) in [(m, "quorum"), (c, "commitment"), (l, "payload length")] {
            #expect(throws: CustodyError.inconsistentShare(position: 2, x: 2, field: field)) {
                try SecretSharing.combine([shares[0], reencode(forged)])
            }
        }
    }

    @Test("Split parameters: 1 ≤ M ≤ N ≤ 255 and M ≥ 2 unless N = 1; non-empty, bounded secret")
    func parameters() throws {
        for (m, n) in [(0, 1), (1, 0), (2, 1), (1, 2), (1, 5), (4, 3), (2, 256), (256, 256), (-1, 3)] {
            #expect(throws: CustodyError.invalidParameters(threshold: m, count: n)) {
                try SecretSharing.split([1], threshold: m, count: n)
            }
        }
        #expect(try SecretSharing.split([1], threshold: 1, count: 1).count == 1)
        let many = try SecretSharing.split([1, 2], threshold: 255, count: 255)
        #expect(many.map(\.x) == (1...255).map(UInt8.init))
        #expect(try SecretSharing.combine(Array(many.reversed())) == [1, 2])
        #expect(throws: CustodyError.emptySecret) { try SecretSharing.split([], threshold: 2, count: 3) }
        #expect(throws: CustodyError.secretTooLong(length: 1025, maximum: 1024)) {
            try SecretSharing.split([UInt8](repeating: 1, count: 1025), threshold: 2, count: 3)
        }
        #expect(throws: CustodyError.noShares) { try SecretSharing.combine([String]()) }
        #expect(CustodyError.invalidParameters(threshold: 1, count: 5).description.contains("quorum of 1"))
    }
}

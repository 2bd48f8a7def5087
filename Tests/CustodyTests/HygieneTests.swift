@testable import Custody
import Testing

@Suite struct HygieneTests {
    @Test("Printing, reflecting or dumping a share shows set, x and quorum, never the payload")
    func shareRedaction() throws {
        let secret = Array("27182818".utf8)
        for share in try SecretSharing.split(secret, threshold: 3, count: 5) {
            let payload = fields(share.encoded)[7]
            var dumped = ""
            dump(share, to: &dumped)
            for text in [String(describing: share), String(reflecting: share), "\(share)", dumped, "\([share])"] {
                #expect(!text.contains(payload) && !text.contains(payload.prefix(8)))
                #expect(!text.contains(hex(secret)) && !text.contains("27182818"))
                #expect(text.contains(share.setID))
            }
        }
    }

    @Test("No error description contains a payload or the secret")
    func errorRedaction() throws {
        let secret = Array("16180339".utf8)
        let a = try SecretSharing.split(secret, threshold: 2, count: 3).map(\.encoded)
        let b = try SecretSharing.split(secret, threshold: 2, count: 3).map(\.encoded)
        var flipped = Array(a[1]); flipped[40] = flipped[40] == "0" ? "1" : "0"
        var forged = fields(a[2]); var p = bytes(hex: forged[7]); p[0] ^= 0xFF; forged[7] = hex(p)
        var odd = fields(a[1]); odd[7].removeLast()
        let attempts: [[String]] = [
            [a[0]], [a[0], String(flipped)], [a[0], a[0]], [a[0], b[1]], [a[0], reencode(forged)],
            [a[0], odd.joined(separator: "-")], [a[0], a[1].replacing("-v1-", with: "-v7-")],
        ]
        var errors: [CustodyError] = []
        for attempt in attempts {
            do { _ = try SecretSharing.combine(attempt); Issue.record("accepted \(attempt.count) shares") }
            catch { errors.append(error) }
        }
        #expect(errors.count == attempts.count)
        let payloads = (a + b).map { fields($0)[7] } + [forged[7], odd[7]]
        for error in errors {
            let text = error.description + String(reflecting: error)
            for payload in payloads { #expect(!text.contains(payload.prefix(8))) }
            #expect(!text.contains(hex(secret)) && !text.contains("16180339"))
        }
    }

    @Test("wipe zeroes in place and keeps the length")
    func wipeZeroes() {
        var secret = Array("correct horse battery staple".utf8)
        let count = secret.count
        wipe(&secret)
        #expect(secret.count == count && secret.allSatisfy { $0 == 0 })
        var empty: [UInt8] = []
        wipe(&empty)
        #expect(empty.isEmpty)
    }

    @Test("Hex: round trip of every byte; odd length, capitals and non-hex refused")
    func hexCodec() {
        let all = (0...255).map(UInt8.init)
        #expect(Hex.encode(all) == hex(all))
        #expect(Hex.decode(Substring(hex(all))) == all)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("AB") == nil)
        for bad in ["g0", "0g", "/0", ":0", "`0", "0 "] { #expect(Hex.decode(Substring(bad)) == nil, "\(bad)") }
        #expect(Hex.decode("") == [])
    }
}

@testable import AuthorityServer
import Foundation
import Testing

/// The verification request's fast reader (FlatJSON) against JSONDecoder, which reads everything it declines: on
/// every body below it either declines or reads exactly the fields JSONDecoder reads, and it reads the plain ones.
@Suite struct FlatJSONTests {
    static let fields: [(String, String)] = [
        ("dac", "MIIB+zCCAaGgAwIBAgIIHq/9=="), ("pai", "MIIBvTCCAWSgAwIBAgIIY1=="), ("attestationElements", "FTABCg=="),
        ("attestationSignature", "3q2+7w=="), ("attestationNonce", "AAECAwQFBgc="), ("attestationChallenge", ""),
        ("vendorId", "FFF1"), ("productId", "8000"), ("cd", "MIICGQYJKoZIhvcNAQcC"),
    ]

    static func object(_ pairs: [(String, String)], separator: String = ",", colon: String = ":") -> String {
        "{" + pairs.map { "\"\($0.0)\"\(colon)\($0.1)" }.joined(separator: separator) + "}"
    }

    static func quoted(_ pairs: [(String, String)]) -> [(String, String)] { pairs.map { ($0.0, "\"\($0.1)\"") } }

    static var bodies: [String] {
        let plain = quoted(fields)
        var out = [object(plain), object(Array(plain.dropLast())), " \t\n" + object(plain, separator: " ,\r\n ", colon: " : ") + "\n "]
        for i in plain.indices { out.append(object(plain.enumerated().filter { $0.offset != i }.map(\.element))) }   // each field missing
        out.append(object(plain + [("dac", "\"AAAA\"")]))                        // a repeated name
        out.append(object(plain + [("comment", "\"a bridge\"")]))                // a name the request does not have
        out.append(object(plain + [("count", "3")]))                             // an unknown name with a number
        out.append(object(plain + [("extra", "{\"a\":\"b\"}")]))                 // ... with an object
        out.append(object(plain.map { $0.0 == "dac" ? ($0.0, "\"MIIB\\/zCC\"") : $0 }))   // an escaped slash
        out.append(object(plain.map { $0.0 == "dac" ? ($0.0, "\"MIIB\\\"") : $0 }))      // a lone backslash before the quote
        out.append(object(plain.map { $0.0 == "dac" ? ($0.0, "\"MIIB\\\\/\"") : $0 }))  // an escaped backslash, then a slash
        out.append(object(plain.map { $0.0 == "dac" ? ($0.0, "\"MIIB\\u0041\"") : $0 }))  // a \u escape
        out.append(object(plain.map { $0.0 == "pai" ? ($0.0, "\"é\"") : $0 }))            // non-ASCII
        out.append(object(plain.map { $0.0 == "vendorId" ? ($0.0, "65521") : $0 }))        // a number
        out.append(object(plain.map { $0.0 == "cd" ? ($0.0, "null") : $0 }))               // null
        out.append(object(plain.map { $0.0 == "pai" ? ($0.0, "\"a\tb\"") : $0 }))         // a raw control character
        out.append(object(plain) + ",")
        out.append(object(plain) + "{}")
        out.append(String(object(plain).dropLast()) + ",}")
        out += ["{}", "[]", "\"dac\"", "", "{\"dac\"}", "{\"dac\":}", "{,}", "{\"dac\":\"x\",,\"pai\":\"y\"}", "\u{FEFF}" + object(plain)]
        let whole = object(plain)
        for n in stride(from: 0, to: whole.utf8.count, by: 5) { out.append(String(decoding: Array(whole.utf8.prefix(n)), as: UTF8.self)) }
        return out
    }

    @Test func declinesOrAgreesWithJSONDecoder() throws {
        var readFast = 0
        for body in Self.bodies {
            let bytes = Array(body.utf8)
            let slow = try? JSONDecoder().decode(VerifyService.Input.self, from: Data(bytes))
            guard let fast = VerifyService.Input(flat: bytes) else { continue }
            readFast += 1
            #expect(fast == slow, "the fast reader read what JSONDecoder \(slow == nil ? "refuses" : "reads otherwise"): \(body)")
        }
        #expect(readFast >= 5, "the plain bodies are read fast")
        #expect(VerifyService.Input(flat: Array(Self.object(Self.quoted(Self.fields)).utf8))?.cd == "MIICGQYJKoZIhvcNAQcC")
        #expect(VerifyService.Input(flat: Array(Self.object(Self.quoted(Array(Self.fields.dropLast()))).utf8))?.cd == nil)
        // Slashes as Foundation's encoders write them are read; any other escape is declined and JSONDecoder reads it.
        let slashes = Self.object(Self.quoted(Self.fields).map { $0.0 == "dac" ? ($0.0, "\"MIIB\\/zCC\\/\"") : $0 })
        #expect(VerifyService.Input(flat: Array(slashes.utf8))?.dac == "MIIB/zCC/")
        let escaped = Self.object(Self.quoted(Self.fields).map { $0.0 == "dac" ? ($0.0, "\"MIIB\\u0041\"") : $0 })
        #expect(VerifyService.Input(flat: Array(escaped.utf8)) == nil)
        #expect(try VerifyService.Input.read(Array(escaped.utf8)).dac == "MIIBA")
        // A body as JSONEncoder writes it (base64 with slashes escaped) is read fast, to the same fields.
        let encoded = try JSONSerialization.data(withJSONObject: Dictionary(uniqueKeysWithValues: Self.fields))
        #expect(String(decoding: encoded, as: UTF8.self).contains("\\/"))
        #expect(VerifyService.Input(flat: Array(encoded)) == (try JSONDecoder().decode(VerifyService.Input.self, from: encoded)))
    }
}

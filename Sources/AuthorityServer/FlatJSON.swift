/// A JSON object whose values are all plain strings, read straight from the bytes: whitespace, `{`, `"name": "value"`
/// pairs, `}`, and nothing else. A string with an escape other than `\/`, a control or non-ASCII character, a repeated name, a value of
/// another type, or anything after the object: nil, and the caller decodes the body with JSONDecoder, so that every
/// refusal and its message still come from that one path. (`POST /v1/verify`: JSONDecoder's tree of the body cost
/// more CPU than the request's HTTP parsing, perf.)
enum FlatJSON {
    static func strings(_ b: [UInt8]) -> [String: String]? {
        b.withUnsafeBufferPointer { p -> [String: String]? in
            var i = 0
            var out: [String: String] = [:]
            func skipSpace() { while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 } }
            func expect(_ c: UInt8) -> Bool {
                guard i < p.count, p[i] == c else { return false }
                i += 1
                return true
            }
            func string() -> String? {
                guard expect(0x22) else { return nil }
                let start = i
                var slashes = false
                while i < p.count, p[i] != 0x22 {
                    // `\/` is read (Foundation's encoders write base64's slashes so); any other escape, a control
                    // character or non-ASCII is JSONDecoder's to read.
                    if p[i] == 0x5C {
                        guard i + 1 < p.count, p[i + 1] == 0x2F else { return nil }
                        slashes = true
                        i += 2
                        continue
                    }
                    guard p[i] >= 0x20, p[i] <= 0x7E else { return nil }
                    i += 1
                }
                guard i < p.count else { return nil }
                defer { i += 1 }
                let raw = UnsafeBufferPointer(rebasing: p[start..<i])
                return slashes ? String(decoding: raw.filter { $0 != 0x5C }, as: UTF8.self) : String(decoding: raw, as: UTF8.self)
            }
            skipSpace()
            guard expect(0x7B) else { return nil }
            skipSpace()
            if !expect(0x7D) {
                while true {
                    guard let name = string() else { return nil }
                    skipSpace()
                    guard expect(0x3A) else { return nil }
                    skipSpace()
                    guard let value = string(), out.updateValue(value, forKey: name) == nil else { return nil }
                    skipSpace()
                    if expect(0x2C) { skipSpace(); continue }
                    guard expect(0x7D) else { return nil }
                    break
                }
            }
            skipSpace()
            return i == p.count ? out : nil
        }
    }
}

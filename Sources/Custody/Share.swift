import Crypto

/// One custodian's share, as text they can type or keep in a file:
///
///     mca-share-v1-<setID>-<M>-<x>-<commitment>-<payload>-<check>
///
/// all lowercase hex: setID 8 bytes (random per split), M the quorum and x the share's coordinate
/// (1 byte each), commitment 8 bytes (see `SecretSharing`), payload the share's bytes (secret length
/// + 16), check the first 4 bytes of SHA-256 over the UTF-8 text before "-<check>". Reading ignores
/// whitespace and case, so a share copied from paper in groups or capitals still reads.
///
/// `description`, `debugDescription` and the mirror are redacted (set, x, M): a share that reaches a log
/// does not leak. The text is only available through `encoded`.
public struct Share: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// 16 hex digits naming the split this share belongs to.
    public let setID: String
    /// The quorum M: how many shares of this set rebuild the secret.
    public let threshold: Int
    /// This share's x-coordinate, 1…N.
    public let x: UInt8
    let commitment: [UInt8]
    var payload: [UInt8]

    static let prefix = "mca-share-v1"
    static let setIDLength = 8, commitmentLength = 8, checkLength = 4

    init(setID: String, threshold: Int, x: UInt8, commitment: [UInt8], payload: [UInt8]) {
        self.setID = setID
        self.threshold = threshold
        self.x = x
        self.commitment = commitment
        self.payload = payload
    }

    /// The share as text, for the custodian only: it contains the payload.
    public var encoded: String {
        let body = [Self.prefix, setID, Hex.encode([UInt8(threshold)]), Hex.encode([x]),
                    Hex.encode(commitment), Hex.encode(payload)].joined(separator: "-")
        return body + "-" + Hex.encode(Self.check(body))
    }

    /// Reads one share. `position` (1-based) is the share's place in what the user gave, used to name it
    /// in errors. Structure and check code are verified; whether it fits with other shares is not.
    public init(encoded text: String, position: Int = 1) throws(CustodyError) {
        let normalized = String(text.unicodeScalars.filter { !$0.properties.isWhitespace }).lowercased()
        let fields = normalized.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count >= 3, fields[0] == "mca", fields[1] == "share" else {
            throw .unrecognizedShare(position: position)
        }
        guard fields[2] == "v1" else {
            let version = fields[2]
            if (2...6).contains(version.count), version.first == "v",
               version.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw .unsupportedVersion(position: position, version: String(version))
            }
            throw .malformedShare(position: position, x: nil, problem: "the version is not v<number>")
        }
        // Read x first, if it can be, so every later error names the share by its coordinate too.
        let readX: UInt8? = fields.count > 5 ? Self.hexField(fields[5], bytes: 1)?.first : nil
        func malformed(_ problem: String) -> CustodyError {
            .malformedShare(position: position, x: readX, problem: problem)
        }
        guard fields.count == 9 else { throw malformed("expected 9 dash-separated fields, found \(fields.count)") }
        guard let setID = Self.hexField(fields[3], bytes: Self.setIDLength) else {
            throw malformed("the set ID is not \(Self.setIDLength * 2) hex digits")
        }
        guard let m = Self.hexField(fields[4], bytes: 1)?.first else { throw malformed("the quorum is not 2 hex digits") }
        guard let x = readX else { throw malformed("x is not 2 hex digits") }
        guard let commitment = Self.hexField(fields[6], bytes: Self.commitmentLength) else {
            throw malformed("the commitment is not \(Self.commitmentLength * 2) hex digits")
        }
        let lengths = (SecretSharing.saltLength + 1)...(SecretSharing.maximumSecretLength + SecretSharing.saltLength)
        guard lengths.contains(fields[7].count / 2), var payload = Hex.decode(fields[7]) else {
            throw malformed("the payload is not an even number of hex digits of plausible length")
        }
        guard let check = Self.hexField(fields[8], bytes: Self.checkLength) else {
            wipe(&payload)
            throw malformed("the check code is not \(Self.checkLength * 2) hex digits")
        }
        // The check is verified before any field is interpreted, so a mistyped digit anywhere (even one
        // that makes x or M look like 0) is reported as a damaged share, not as an odd value.
        let body = normalized[..<normalized.lastIndex(of: "-")!]
        guard Self.check(body) == check else {
            wipe(&payload)
            throw .corruptedShare(position: position, x: x)
        }
        guard m >= 1 else { wipe(&payload); throw malformed("the quorum is 0") }
        guard x >= 1 else { wipe(&payload); throw malformed("x is 0, which would be the secret itself") }
        self.init(setID: Hex.encode(setID), threshold: Int(m), x: x, commitment: commitment, payload: payload)
    }

    public var description: String {
        "matter-ca share x=\(x) of set \(setID), quorum \(threshold) (payload redacted)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["setID": setID, "threshold": threshold, "x": x], displayStyle: .struct)
    }

    /// Zeroes this copy's payload (for buffers the library owns, once they are combined).
    public mutating func wipePayload() { wipe(&payload) }

    static func check<S: StringProtocol>(_ body: S) -> [UInt8] {
        Array(SHA256.hash(data: Array(body.utf8)).prefix(checkLength))
    }

    private static func hexField(_ field: Substring, bytes: Int) -> [UInt8]? {
        guard field.count == bytes * 2 else { return nil }
        return Hex.decode(field)
    }
}

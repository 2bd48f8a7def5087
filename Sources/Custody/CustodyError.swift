/// Why a split or a combination was refused. Positions are 1-based, in the order the shares were given,
/// so a custodian can be told "your share (#2, x=3) was mistyped". No case carries payload or secret
/// bytes: only set IDs, thresholds, x-coordinates, positions, field names and lengths, all public.
public enum CustodyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Split parameters outside 1 ≤ threshold ≤ count ≤ 255 with threshold ≥ 2 unless count = 1.
    case invalidParameters(threshold: Int, count: Int)
    case emptySecret
    case secretTooLong(length: Int, maximum: Int)
    case noShares
    /// The text is not a matter-ca share at all (wrong prefix).
    case unrecognizedShare(position: Int)
    /// A matter-ca share of a format version this build does not read.
    case unsupportedVersion(position: Int, version: String)
    /// A field is missing, of the wrong length, not hex, or out of range (`problem` names which, never its
    /// content). `x` when it could be read.
    case malformedShare(position: Int, x: UInt8?, problem: String)
    /// The share's check code does not match its text: mistyped or damaged. `x` as read from the text.
    case corruptedShare(position: Int, x: UInt8)
    /// Two shares with the same x-coordinate (the same share twice, or a conflicting copy).
    case duplicateShare(position: Int, x: UInt8, firstPosition: Int)
    /// A share from another split, judged against the first share given.
    case mixedSets(position: Int, x: UInt8, setID: String, expectedSetID: String)
    /// Same set ID but a different threshold, commitment or length than the first share: edited by hand.
    case inconsistentShare(position: Int, x: UInt8, field: String)
    case tooFewShares(given: Int, needed: Int)
    /// The shares passed every check yet combine to a value the set's commitment rejects: at least one
    /// payload was altered and its check recomputed.
    case commitmentMismatch(setID: String, xs: [UInt8])

    public var description: String {
        switch self {
        case let .invalidParameters(m, n):
            let rule: String
            if n < 1 || n > 255 { rule = "the number of shares must be 1…255" }
            else if m < 1 || m > n { rule = "the quorum must be 1…\(n)" }
            else { rule = "a quorum of 1 would give every custodian the whole secret; it is only allowed with a single share" }
            return "Cannot split into \(n) shares with a quorum of \(m): \(rule)."
        case .emptySecret:
            return "Cannot split an empty secret."
        case let .secretTooLong(length, maximum):
            return "Cannot split a secret of \(length) bytes; at most \(maximum) bytes."
        case .noShares:
            return "No shares were given."
        case let .unrecognizedShare(p):
            return "Share #\(p) is not a matter-ca share (it should start with \"mca-share-\")."
        case let .unsupportedVersion(p, v):
            return "Share #\(p) has format version \(v), which this matter-ca does not read (it reads v1)."
        case let .malformedShare(p, x, problem):
            return "Share #\(p)\(Self.named(x)) is malformed: \(problem)."
        case let .corruptedShare(p, x):
            return "Share #\(p) (x=\(x) as read) fails its check code: it was mistyped or damaged."
        case let .duplicateShare(p, x, first):
            return "Share #\(p) has x=\(x), like share #\(first): each custodian's share may be given once."
        case let .mixedSets(p, x, set, expected):
            return "Share #\(p) (x=\(x)) belongs to set \(set), but share #1 belongs to set \(expected): shares of different splits cannot be combined."
        case let .inconsistentShare(p, x, field):
            return "Share #\(p) (x=\(x)) claims the same set as share #1 but a different \(field): it was edited."
        case let .tooFewShares(given, needed):
            return "\(given) distinct share\(given == 1 ? "" : "s") given; this set needs \(needed)."
        case let .commitmentMismatch(set, xs):
            let list = xs.map { "x=\($0)" }.joined(separator: ", ")
            return "The shares of set \(set) (\(list)) combine to a value its commitment rejects: at least one of them was altered."
        }
    }

    private static func named(_ x: UInt8?) -> String { x.map { " (x=\($0))" } ?? "" }
}

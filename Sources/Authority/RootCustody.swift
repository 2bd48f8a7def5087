import Crypto
import Custody
import Foundation
import Signing

/// A home with custodians keeps its PAA keys on a root token of their own whose PINs no one knows: a random
/// secret, split with Shamir over GF(256) into one share per custodian, from which the user PIN and the SO PIN are
/// derived (the SO PIN too, or whoever knew it could reset the user PIN). PAI keys, CRL signers and the audit
/// checkpoint key stay on the operational token: batches and the server use them all day without a quorum.
public struct CustodySettings: Codable, Sendable, Equatable {
    /// The root token's label (on the same PKCS#11 module as the operational token).
    public var rootTokenLabel: String
    /// Custodian k holds the share with x = k (1-based), in this order.
    public var custodians: [String]
    public var quorum: Int
    /// The split's set ID (public): a share of another split is named as such before anything is combined.
    public var setID: String
}

/// How a command obtains custodian shares when it needs the root token: files given on its command line, or a
/// prompt. The authority asks only when a PAA key is about to be used.
public typealias ShareSource = @Sendable (_ custody: CustodySettings) throws -> [Share]

public enum CustodyFailure: Error, CustomStringConvertible, Equatable {
    /// A PAA key is needed and no way to obtain shares was given (a server, a script without --share).
    case quorumRequired(quorum: Int, custodians: Int, what: String)
    /// The shares belong to another split than this authority's root token.
    case foreignShares(setID: String, expected: String)
    /// The rebuilt PIN did not open the root token.
    case rootTokenRefused(String)
    case shares(CustodyError)

    public var description: String {
        switch self {
        case let .quorumRequired(m, n, what):
            return "\(what) is on the root token: it needs \(m) of the \(n) custodians' shares (--share FILE, once per custodian, or a terminal to type them)"
        case let .foreignShares(set, expected):
            return "the shares belong to set \(set); this authority's root token was split as set \(expected)"
        case .rootTokenRefused(let reason): return "the root token refused the PIN rebuilt from the shares: \(reason)"
        case .shares(let e): return e.description
        }
    }
}

enum RootSecret {
    static let length = 32

    /// The user and SO PINs of the root token, derived from the shared secret (64 hex digits each, distinct).
    static func pins(from secret: [UInt8]) -> (user: [UInt8], so: [UInt8]) {
        let key = SymmetricKey(data: secret)
        func derive(_ purpose: String) -> [UInt8] {
            let mac = HMAC<SHA256>.authenticationCode(for: Array("matter-ca root token \(purpose) PIN".utf8), using: key)
            // Hex written straight into bytes the caller wipes: no String copy of a PIN is left behind.
            let digits = Array("0123456789abcdef".utf8)
            var pin: [UInt8] = []
            pin.reserveCapacity(64)
            for b in mac { pin.append(digits[Int(b >> 4)]); pin.append(digits[Int(b & 0x0F)]) }
            return pin
        }
        return (derive("user"), derive("SO"))
    }

    /// A fresh secret and its shares; the caller wipes the secret after initialising the token with its PINs.
    static func make(custodians: Int, quorum: Int) throws -> (secret: [UInt8], shares: [Share]) {
        var secret = [UInt8](repeating: 0, count: length)
        var rng = SystemRandomNumberGenerator()
        for i in secret.indices { secret[i] = UInt8.random(in: 0...255, using: &rng) }
        do { return (secret, try SecretSharing.split(secret, threshold: quorum, count: custodians)) } catch {
            wipe(&secret)
            throw CustodyFailure.shares(error)
        }
    }
}

extension Authority {
    /// The pool holding `authority`'s key: the root token's for PAA keys of a home with custodians (opened with a
    /// quorum of shares on first use), the operational token's otherwise. External PAAs have no key here.
    func keyPool(tokenLabel: String, for what: String) throws -> SessionPool {
        guard let custody = settings.custody, tokenLabel == custody.rootTokenLabel else {
            if tokenLabel.isEmpty { throw AuthorityError.refused("\(what) is an external PAA: its key is not held by this authority") }
            return pool
        }
        return try rootPool(for: what, custody)
    }

    /// Where a new PAA key is generated.
    func paaKeyPool() throws -> SessionPool {
        guard let custody = settings.custody else { return pool }
        return try rootPool(for: "a PAA key", custody)
    }

    /// The custodians present: their IDs, from the shares that opened the root token (never the shares).
    public var custodiansPresent: [String] { root.withLock { $0.custodians } }

    private func rootPool(for what: String, _ custody: CustodySettings) throws -> SessionPool {
        if let open = root.withLock({ $0.pool }) { return open }
        guard let source = shareSource else {
            throw CustodyFailure.quorumRequired(quorum: custody.quorum, custodians: custody.custodians.count, what: what)
        }
        try unlockRoot(shares: try source(custody))
        guard let open = root.withLock({ $0.pool }) else { throw CustodyFailure.quorumRequired(quorum: custody.quorum, custodians: custody.custodians.count, what: what) }
        return open
    }

    /// Rebuilds the root PIN from a quorum of shares, logs the root token in, and wipes the secret and the PINs.
    /// Every share is checked (and a bad one named) before anything is combined; the shares' payloads are wiped.
    public func unlockRoot(shares given: [Share]) throws {
        guard let custody = settings.custody else { throw AuthorityError.refused("this authority has no custodians: its PAA keys are on the operational token") }
        var shares = given
        defer { for i in shares.indices { shares[i].wipePayload() } }
        if let foreign = shares.first(where: { $0.setID != custody.setID }) {
            throw CustodyFailure.foreignShares(setID: foreign.setID, expected: custody.setID)
        }
        var secret: [UInt8]
        do { secret = try SecretSharing.combine(shares) } catch { throw CustodyFailure.shares(error) }
        var (user, so) = RootSecret.pins(from: secret)
        defer { wipe(&secret); wipe(&user); wipe(&so) }
        let opened: SessionPool
        do { opened = try SessionPool(module: pool.module, tokenLabel: custody.rootTokenLabel, pin: user, size: 1, retainPIN: false) } catch {
            throw CustodyFailure.rootTokenRefused("\(error)")
        }
        let present = shares.map { Int($0.x) }.sorted().map { x in x <= custody.custodians.count ? custody.custodians[x - 1] : "x=\(x)" }
        root.withLock { $0 = RootState(pool: opened, custodians: present) }
    }

    /// The root token's identity, when the home has one (for transcripts and doctor).
    public func rootTokenIdentity() -> PKCS11Module.TokenIdentity? {
        guard let custody = settings.custody else { return nil }
        return try? pool.module.identity(label: custody.rootTokenLabel)
    }
}

/// The root token's pool once a quorum opened it, and who was present.
struct RootState: Sendable {
    var pool: SessionPool?
    var custodians: [String] = []
}

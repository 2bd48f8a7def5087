import Crypto

/// Splits a secret (the HSM user PIN) into N shares of which any M rebuild it, and rebuilds it.
///
/// What is shared is secret ‖ salt, a fresh 16-byte random salt. Each share carries a commitment,
/// the first 8 bytes of SHA-256("mca-share-v1 commitment" ‖ setID ‖ salt ‖ secret), so combine can tell
/// a correct reconstruction from one where a payload was altered and its check recomputed. The salt is
/// what keeps the commitment from betraying a short PIN: without it, one custodian could hash every
/// 8-digit PIN against their own share's commitment offline; with it, the commitment says nothing until
/// a quorum has rebuilt the salt. The payload length reveals the secret's length.
///
/// Parameters: 1 ≤ M ≤ N ≤ 255, and M ≥ 2 unless N = 1. M = 1 with several shares would hand each
/// custodian the whole secret, which is what custody is meant to prevent; N = M = 1 (a single
/// custodian, for labs) is allowed because it is at least honest about it.
public enum SecretSharing {
    /// A PIN or passphrase, not a file: keeps shares typeable and bounds the work of reading one.
    public static let maximumSecretLength = 1024
    static let saltLength = 16
    static let commitmentTag = Array("mca-share-v1 commitment".utf8)

    /// Splits `secret` into `count` shares with x = 1…count, any `threshold` of which rebuild it.
    /// The caller still owns `secret` and should `wipe` it.
    public static func split(_ secret: [UInt8], threshold: Int, count: Int) throws(CustodyError) -> [Share] {
        var rng = SystemRandomNumberGenerator()
        return try split(secret, threshold: threshold, count: count, using: &rng)
    }

    /// As `split(_:threshold:count:)` with an injected generator (tests). Draw order: set ID, salt,
    /// then the polynomial coefficients.
    static func split(
        _ secret: [UInt8], threshold: Int, count: Int, using rng: inout some RandomNumberGenerator
    ) throws(CustodyError) -> [Share] {
        guard (1...255).contains(count), (1...count).contains(threshold), threshold >= 2 || count == 1 else {
            throw .invalidParameters(threshold: threshold, count: count)
        }
        guard !secret.isEmpty else { throw .emptySecret }
        guard secret.count <= maximumSecretLength else {
            throw .secretTooLong(length: secret.count, maximum: maximumSecretLength)
        }
        let setID = Shamir.randomBytes(Share.setIDLength, using: &rng)
        var salt = Shamir.randomBytes(saltLength, using: &rng)
        var material = secret + salt
        defer { wipe(&salt); wipe(&material) }
        let commitment = commit(setID: setID, salt: salt, secret: secret)
        let setIDHex = Hex.encode(setID)
        return Shamir.split(material, threshold: threshold, count: count, using: &rng).map { point in
            Share(setID: setIDHex, threshold: threshold, x: point.x, commitment: commitment, payload: point.y)
        }
    }

    /// Reads the shares as typed (whitespace and case ignored) and rebuilds the secret. Each share is
    /// verified and named on its own before any combination; the decoded payloads are wiped afterwards.
    /// The caller owns the returned secret and should `wipe` it after use.
    public static func combine(_ encoded: [String]) throws(CustodyError) -> [UInt8] {
        var shares: [Share] = []
        defer { for i in shares.indices { shares[i].wipePayload() } }
        for (i, text) in encoded.enumerated() {
            shares.append(try Share(encoded: text, position: i + 1))
        }
        return try combine(shares)
    }

    /// Rebuilds the secret from shares already read. Every share given takes part in the interpolation
    /// (not just the first M), so every one of them is vouched for by the commitment check.
    public static func combine(_ shares: [Share]) throws(CustodyError) -> [UInt8] {
        guard let first = shares.first else { throw .noShares }
        var seen: [UInt8: Int] = [:]
        for (i, share) in shares.enumerated() {
            let position = i + 1
            guard share.setID == first.setID else {
                throw .mixedSets(position: position, x: share.x, setID: share.setID, expectedSetID: first.setID)
            }
            for (field, differs) in [("quorum", share.threshold != first.threshold),
                                     ("commitment", share.commitment != first.commitment),
                                     ("payload length", share.payload.count != first.payload.count)] where differs {
                throw .inconsistentShare(position: position, x: share.x, field: field)
            }
            if let firstPosition = seen[share.x] {
                throw .duplicateShare(position: position, x: share.x, firstPosition: firstPosition)
            }
            seen[share.x] = position
        }
        guard shares.count >= first.threshold else {
            throw .tooFewShares(given: shares.count, needed: first.threshold)
        }

        var material = Shamir.combine(shares.map { ($0.x, $0.payload) })
        defer { wipe(&material) }
        let secretLength = material.count - saltLength
        var secret = Array(material[..<secretLength])
        var salt = Array(material[secretLength...])
        defer { wipe(&salt) }
        guard constantTimeEqual(commit(setID: decodedSetID(first), salt: salt, secret: secret), first.commitment) else {
            wipe(&secret)
            throw .commitmentMismatch(setID: first.setID, xs: shares.map(\.x))
        }
        return secret
    }

    static func commit(setID: [UInt8], salt: [UInt8], secret: [UInt8]) -> [UInt8] {
        var hash = SHA256()
        hash.update(data: commitmentTag)
        hash.update(data: setID)
        hash.update(data: salt)
        hash.update(data: secret)
        return Array(hash.finalize().prefix(Share.commitmentLength))
    }

    private static func decodedSetID(_ share: Share) -> [UInt8] {
        Hex.decode(Substring(share.setID)) ?? []
    }

    /// No early exit on the first differing byte.
    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

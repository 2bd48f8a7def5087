import Authority
import Crypto
import Foundation
import Hummingbird
import Ledger

/// Who is asking, from the request: a bearer token (or HTTP Basic, the token as the password, for EST clients), else
/// the TLS client certificate (a registered factory station, or a DAC of this authority). Unauthenticated → 401.
struct Authenticator: Sendable {
    let ledger: any Ledger
    let clock: @Sendable () -> Date
    /// When set (`--client-ca`), a station certificate must also be issued by one of these.
    let stationCAs: [[UInt8]]
    /// Accepted tokens by the SHA-256 of their secret, for as long as the audit log shows no credential change.
    let tokens: LedgerFactsCache<[UInt8], Credentials.Authentication>

    init(ledger: any Ledger, clock: @escaping @Sendable () -> Date, stationCAs: [[UInt8]]) {
        self.ledger = ledger; self.clock = clock; self.stationCAs = stationCAs
        tokens = LedgerFactsCache(ledger: ledger)
    }

    func principal(_ request: Request, _ context: AppContext) async throws -> Principal {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw Problem.unauthorized("the Authorization header is not \"Bearer <token>\" or \"Basic <credentials>\"") }
            let token: String
            switch parts[0].lowercased() {
            case "bearer": token = parts[1].trimmingCharacters(in: .whitespaces)
            case "basic":
                guard let decoded = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)).flatMap({ String(data: $0, encoding: .utf8) }),
                      let colon = decoded.firstIndex(of: ":") else { throw Problem.unauthorized("the Basic credentials are not base64 of user:token") }
                token = String(decoded[decoded.index(after: colon)...])
            default: throw Problem.unauthorized("authentication scheme \"\(parts[0])\" is not supported (Bearer or Basic)")
            }
            // A ledger read (a network round trip on PostgreSQL: on the blocking pool, never on a cooperative thread).
            let ledger = self.ledger, tokens = self.tokens
            let accepted: @Sendable (Credentials.Authentication) -> Bool = { if case .principal = $0 { return true } else { return false } }
            switch try await Blocking.read(ledger, {
                try tokens.value(Array(SHA256.hash(data: Array(token.utf8))), keep: accepted) { try Credentials.authenticate(token: token, ledger: ledger) }
            }) {
            case .principal(let p): return p
            case .refused(let why): throw Problem.unauthorized(why)
            }
        }
        if let der = await context.clientCertificateDER() {
            let ledger = self.ledger, now = clock()
            switch try await Blocking.run({ try Credentials.authenticate(clientCertificate: der, ledger: ledger, now: now) }) {
            case .principal(let p):
                if case .vendor = p, !stationCAs.isEmpty, !Credentials.issued(der, byAnyOf: stationCAs) {
                    throw Problem.unauthorized("the station certificate is not issued by the --client-ca given to this server")
                }
                return p
            case .refused(let why): throw Problem.unauthorized(why)
            }
        }
        throw Problem.unauthorized("no credentials: send an API token (Authorization: Bearer) or a TLS client certificate")
    }

    func admin(_ request: Request, _ context: AppContext) async throws -> Principal {
        let p = try await principal(request, context)
        guard case .admin = p else { throw Problem.forbidden("notPermitted: \(p) may not use an administrator route") }
        return p
    }
}

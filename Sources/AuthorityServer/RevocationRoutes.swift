import Authority
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore

/// Revocation over REST (the vendor that owns the DACs, or an administrator for a PAI) and CRL distribution at
/// stable URLs, as `crl publish` wrote them.
struct RevocationRoutes: Sendable {
    let authority: Authority
    let auth: Authenticator

    struct Outcome: Encodable { let revoked, alreadyRevoked: Int; let reason: String }

    func revoke(_ request: Request, _ context: AppContext, target: (AppContext) throws -> RevocationTarget) async throws -> Response {
        let principal = try await auth.principal(request, context)
        let t = try target(context)
        var reason = "unspecified"
        let bytes = try await body(request, context)
        if !bytes.isEmpty {
            try requireContentType(request, ["application/json"])
            // Strict: a member the API does not define is refused, not ignored (the document says additionalProperties: false).
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw Problem.badRequest("bad-json", "the body is not a JSON object ({\"reason\": \"…\"})")
            }
            if let unknown = object.keys.sorted().first(where: { $0 != "reason" }) {
                throw Problem.badRequest("bad-json", "unknown member \"\(unknown.prefix(40))\" (a revocation request has only \"reason\")")
            }
            if let r = object["reason"] {
                guard let text = r as? String else { throw Problem.badRequest("bad-json", "\"reason\" must be a string") }
                reason = text
            }
        }
        let r = reason   // Authority.revoke refuses an unknown reason first (400 below)
        let outcome: RevocationOutcome = try await Blocking.run {
            do { return try authority.revoke(t, reason: r, by: principal) } catch let e as RevocationError {
                switch e {
                case .unknownCertificate, .unknownBatch: throw Problem.notFound(e.description)
                case .unknownReason: throw Problem.badRequest("bad-reason", e.description)
                case .notACertificateOfThisAuthority: throw Problem(.unprocessableContent, "refused", e.description)
                }
            } catch let e as AuthorityError {
                if case .unknownAuthority = e { throw Problem.notFound(e.description) }
                throw e
            }
        }
        return try json(Outcome(revoked: outcome.revoked, alreadyRevoked: outcome.alreadyRevoked, reason: reason))
    }

    /// `GET /crl/<issuer SKID>[-<partition>].crl`: public, like any CRL distribution point.
    func crl(_ context: AppContext) throws -> Response {
        let name = try context.parameters.require("name")
        guard name.range(of: "^[0-9A-F]{40}(-[0-9]{1,7})?\\.crl$", options: .regularExpression) != nil else {
            throw Problem.notFound("no CRL \"\(name)\" (CRLs are named <issuer SKID>.crl)")
        }
        guard let data = FileManager.default.contents(atPath: authority.home.crlDirectory.appendingPathComponent(name).path) else {
            throw Problem.notFound("no CRL \(name) published (matter-ca crl publish)")
        }
        return Response(status: .ok, headers: [.contentType: "application/pkix-crl", .cacheControl: "max-age=300"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

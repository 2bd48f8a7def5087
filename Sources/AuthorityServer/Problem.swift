import Authority
import Foundation
import Hummingbird
import Ledger
import NIOCore

/// An RFC 9457 problem: every failure the server answers, with a type, a title and a detail that names the reason.
/// Never a stack trace or an internal path.
public struct Problem: HTTPResponseError, Encodable {
    public let status: HTTPResponse.Status
    public let type: String
    public let title: String
    public let detail: String
    var retryAfter: Int?
    var allow: String?

    enum CodingKeys: String, CodingKey { case type, title, status, detail }
    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type); try c.encode(title, forKey: .title); try c.encode(Int(status.code), forKey: .status)
        try c.encode(detail, forKey: .detail)
    }

    public init(_ status: HTTPResponse.Status, _ type: String, _ detail: String, retryAfter: Int? = nil) {
        self.status = status
        self.type = "https://matter-ca.invalid/problems/\(type)"
        title = status.reasonPhrase
        self.detail = detail
        self.retryAfter = retryAfter
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let allow { headers[.allow] = allow }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"matter-ca\", Basic realm=\"matter-ca\"" }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? enc.encode(self)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func unauthorized(_ d: String) -> Problem { Problem(.unauthorized, "unauthenticated", d) }
    static func forbidden(_ d: String) -> Problem { Problem(.forbidden, "not-permitted", d) }
    static func badRequest(_ type: String, _ d: String) -> Problem { Problem(.badRequest, type, d) }
    static func notFound(_ d: String) -> Problem { Problem(.notFound, "not-found", d) }

    /// What an error from the authority means to a client.
    static func from(_ error: Error) -> Problem {
        switch error {
        case let p as Problem: return p
        case let e as AuthorizationError:
            return .forbidden(e.description)
        case let e as BatchError:
            switch e {
            case .badCSRs, .empty: return .badRequest("bad-csr", e.description)
            case .tooLarge: return Problem(.unprocessableContent, "batch-too-large", e.description)
            case .idempotencyConflict: return Problem(.conflict, "idempotency-conflict", e.description)
            default: return Problem(.conflict, "batch-state", e.description)
            }
        case is NIOTooManyBytesError:
            return Problem(.contentTooLarge, "body-too-large", "the request body exceeds \(AppContext.bodyLimit) bytes")
        case let e as HTTPError where e.status == .contentTooLarge:
            return Problem(.contentTooLarge, "body-too-large", "the request body exceeds \(AppContext.bodyLimit) bytes")
        case let e as LedgerError:
            if case .unavailable = e { return Problem(.serviceUnavailable, "ledger-unavailable", e.description) }
            return Problem(.conflict, "ledger-conflict", e.description)
        case let e as AuthorityError:
            if case .tokenProblem = e { return Problem(.serviceUnavailable, "token-unavailable", e.description) }
            return Problem(.unprocessableContent, "refused", e.description)
        default:
            return Problem(.unprocessableContent, "refused", "\(error)")
        }
    }
}

/// A JSON response.
func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws -> Response {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var headers = extra
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try enc.encode(value))))
}

/// The request body, up to the limit, or a precise 413.
func body(_ request: Request, _ context: AppContext) async throws -> [UInt8] {
    do {
        var buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    } catch { throw Problem.from(error) }
}

/// Refuses a body of another type with 415, naming what is expected.
func requireContentType(_ request: Request, _ expected: [String]) throws {
    let given = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    guard expected.contains(given) else {
        throw Problem(.unsupportedMediaType, "unsupported-media-type",
                      "Content-Type \"\(given.isEmpty ? "(none)" : given)\" is not accepted here; send \(expected.joined(separator: " or "))")
    }
}

/// Every failure leaves as a problem body: Hummingbird's own errors (no such route, a body it cannot read) and
/// anything no route mapped, which would otherwise be a bare status or a 500.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppContext
    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do { return try await next(request, context) } catch let p as Problem { throw p } catch let e as HTTPError {
            let detail = e.status == .notFound ? "no route \(request.method) \(request.uri.path)" : (e.body ?? e.status.reasonPhrase)
            throw Problem(e.status, e.status == .notFound ? "not-found" : "http-error", detail)
        } catch {
            throw Problem.from(error)
        }
    }
}

import Authority
import Foundation
import Hummingbird
import NIOCore

/// Every route the server answers, in one table: the router is built from it, and a test holds it equal to the
/// OpenAPI document's paths.
public enum Routes {
    public static let all: [(method: String, path: String)] = [
        ("GET", "/openapi.yaml"), ("GET", "/healthz"), ("GET", "/metrics"),
        ("GET", "/v1/cas"), ("GET", "/v1/vendors"), ("GET", "/v1/certificates/{serial}"),
        ("POST", "/v1/batches"), ("GET", "/v1/batches/{id}"), ("POST", "/v1/verify"),
        ("POST", "/v1/certificates/{serial}/revoke"), ("POST", "/v1/batches/{id}/revoke"), ("POST", "/v1/cas/{skid}/revoke"),
        ("GET", "/crl/{name}"),
        ("GET", "/.well-known/est/cacerts"), ("GET", "/.well-known/est/csrattrs"),
        ("POST", "/.well-known/est/simpleenroll"), ("POST", "/.well-known/est/simplereenroll"), ("POST", "/.well-known/est/serverkeygen"),
        ("GET", "/.well-known/est/{label}/cacerts"), ("GET", "/.well-known/est/{label}/csrattrs"),
        ("POST", "/.well-known/est/{label}/simpleenroll"), ("POST", "/.well-known/est/{label}/simplereenroll"),
        ("POST", "/.well-known/est/{label}/serverkeygen"),
    ]

    /// The OpenAPI 3.1 document served at /openapi.yaml.
    public static var openAPIDocument: String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let text = try? String(contentsOf: url, encoding: .utf8) else {
            return "openapi: 3.1.0\ninfo: {title: matter-ca, version: unknown}\npaths: {}\n"
        }
        return text
    }

    typealias Handler = @Sendable (Request, AppContext) async throws -> Response

    /// Any other method on a known path: 405 with the methods it has (RFC 9110 §15.5.6), as a problem.
    static func refuseOtherMethods(_ router: Router<AppContext>) {
        let byPath = Dictionary(grouping: all, by: \.path).mapValues { $0.map(\.method) }
        for (path, methods) in byPath {
            for m in ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE", "OPTIONS", "QUERY"] where !methods.contains(m) {
                let allow = methods.sorted().joined(separator: ", ")
                router.on(RouterPath(path), method: HTTPRequest.Method(m)!) { _, _ -> Response in
                    var p = Problem(.methodNotAllowed, "method-not-allowed", "\(path) answers \(allow)")
                    p.allow = allow
                    throw p
                }
            }
        }
    }

    static func handler(_ method: String, _ path: String, rest: RESTRoutes, est: ESTRoutes, revocation: RevocationRoutes, health: Health) -> Handler {
        let label: @Sendable (AppContext) -> String? = { $0.parameters.get("label") }
        switch (method, path) {
        case ("GET", "/openapi.yaml"):
            return { _, _ in Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: openAPIDocument))) }
        case ("GET", "/healthz"): return { _, _ in try await health.check() }
        case ("GET", "/metrics"):
            return { _, _ in Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: Observability.prometheusText()))) }
        case ("GET", "/v1/cas"): return { _, _ in try rest.getCAs() }
        case ("GET", "/v1/vendors"): return { r, c in try await rest.getVendors(r, c) }
        case ("GET", "/v1/certificates/{serial}"): return { r, c in try await rest.getCertificate(r, c) }
        case ("POST", "/v1/batches"): return { r, c in try await rest.postBatch(r, c) }
        case ("GET", "/v1/batches/{id}"): return { r, c in try await rest.getBatch(r, c) }
        case ("POST", "/v1/verify"): return { r, c in try await rest.postVerify(r, c) }
        case ("POST", "/v1/certificates/{serial}/revoke"):
            return { r, c in try await revocation.revoke(r, c) { .serial(try $0.parameters.require("serial")) } }
        case ("POST", "/v1/batches/{id}/revoke"): return { r, c in try await revocation.revoke(r, c) { .batch(try $0.parameters.require("id")) } }
        case ("POST", "/v1/cas/{skid}/revoke"): return { r, c in try await revocation.revoke(r, c) { .pai(try $0.parameters.require("skid")) } }
        case ("GET", "/crl/{name}"): return { _, c in try revocation.crl(c) }
        case ("GET", let p) where p.hasSuffix("/cacerts"): return { _, c in try est.cacerts(label(c)) }
        case ("GET", let p) where p.hasSuffix("/csrattrs"): return { _, c in try est.csrAttrs(label(c)) }
        case ("POST", let p) where p.hasSuffix("/simpleenroll"): return { r, c in try await est.simpleEnroll(r, c, label: label(c)) }
        case ("POST", let p) where p.hasSuffix("/simplereenroll"): return { r, c in try await est.simpleReenroll(r, c, label: label(c)) }
        case ("POST", let p) where p.hasSuffix("/serverkeygen"): return { r, c in try await est.serverKeygen(r, c, label: label(c)) }
        default: preconditionFailure("route \(method) \(path) has no handler")
        }
    }
}

/// `GET /healthz`: the ledger answers and the token is reachable; 503 naming the failing check otherwise.
struct Health: Sendable {
    let authority: Authority

    func check() async throws -> Response {
        var checks: [String: String] = [:]
        var failing: [String] = []
        let ledger = authority.ledger
        do {
            // A round trip, not a count: on a shared server with millions of rows a health probe must stay cheap.
            checks["ledger"] = "ok (\(ledger.engine) at \(ledger.location), \(try await Blocking.run { try ledger.roundTrip() }))"
        } catch {
            checks["ledger"] = "\(ledger.engine) at \(ledger.location): \(error)"; failing.append("ledger")
        }
        do { try authority.tokenReachable(); checks["token"] = "ok" } catch { checks["token"] = "\(error)"; failing.append("token") }
        if !failing.isEmpty {
            throw Problem(.serviceUnavailable, "unhealthy", failing.map { "\($0): \(checks[$0]!)" }.joined(separator: "; "))
        }
        return try json(["status": "ok", "ledger": checks["ledger"]!, "ledgerEngine": ledger.engine, "token": checks["token"]!])
    }
}

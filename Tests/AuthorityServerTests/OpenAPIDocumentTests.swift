import AuthorityServer
import Foundation
import Testing
import TestSupport
import Yams

/// The OpenAPI document and the router agree: every route the server answers is documented, and every documented
/// route is served.
@Suite struct OpenAPIDocumentTests {
    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let text = try String(contentsOf: SharedVectors.packageRoot.appendingPathComponent("Sources/AuthorityServer/openapi.yaml"), encoding: .utf8)
        #expect(Routes.openAPIDocument == text, "the served document is the repository's")
        let doc = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: Any])
        var documented = Set<String>()
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "delete", "patch"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let served = Set(Routes.all.map { "\($0.method) \($0.path)" })
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
    }
}

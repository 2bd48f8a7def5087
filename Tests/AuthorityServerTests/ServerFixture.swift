import Foundation
import Testing
import TestSupport

/// A home with a PAA, the PAIs the example vendors name, the example registry, and a running server with a token
/// per vendor and an administrator token.
struct ServerFixture {
    let home: TestHome
    let server: TestServer
    let fff1: (id: String, secret: String)
    let fff2: (id: String, secret: String)
    let admin: (id: String, secret: String)

    static func home(ledgerURL: String? = nil) throws -> TestHome {
        let h = try TestHome(ledgerURL: ledgerURL)
        let paa = (try h.json(["paa", "create", "--cn", "Root"]) as! [String: Any])["skid"] as! String
        for vid in ["FFF1", "FFF2"] { _ = try h.json(["pai", "issue", "--paa", paa, "--vid", vid, "--cn", "\(vid) PAI"]) }
        let r = try h.run(["vendor", "import", SharedVectors.packageRoot.appendingPathComponent("VendorRegistry").path])
        guard r.status == 0 else { throw TestHome.Failure(description: r.output) }
        return h
    }

    init(arguments: [String] = []) throws {
        home = try Self.home()
        fff1 = try home.token(vendor: "FFF1", label: "factory A")
        fff2 = try home.token(vendor: "FFF2", label: "factory B")
        admin = try home.token(vendor: nil, label: "ops")
        server = try TestServer(home: home, arguments: arguments)
    }

    /// A device CSR made by openssl (DER), and its key file.
    static func csr(in dir: URL, name: String = "device", curve: String? = "prime256v1", rsa: Bool = false) throws -> (der: Data, key: URL) {
        let key = dir.appendingPathComponent("\(name)-key.pem"), out = dir.appendingPathComponent("\(name).csr")
        let keyArgs = rsa ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:\(curve!)"]
        let r = try CLI.exec("openssl", ["req", "-new"] + keyArgs + ["-nodes", "-keyout", key.path, "-subj", "/CN=\(name)", "-outform", "DER", "-out", out.path])
        guard r.status == 0 else { throw TestHome.Failure(description: r.output) }
        return (try Data(contentsOf: out), key)
    }

    static func base64(_ d: Data) -> Data { Data(d.base64EncodedString().utf8) }

    /// The certificates of a base64 certs-only PKCS#7, as PEM, opened by openssl.
    static func certificates(fromPKCS7 body: String, in dir: URL) throws -> String {
        let der = try #require(Data(base64Encoded: body.filter { !$0.isWhitespace }))
        let p7 = dir.appendingPathComponent("r-\(UUID().uuidString).p7")
        try der.write(to: p7)
        let r = try CLI.exec("openssl", ["pkcs7", "-inform", "DER", "-in", p7.path, "-print_certs"])
        #expect(r.status == 0, "\(r.output)")
        return r.stdout
    }
}

import AttestationVerifier
import Authority
import AuthorityServer
import Crypto
import Foundation
import MatterPKI
import SwiftASN1
import X509

/// Issue #10: EST simpleenroll and POST /v1/verify over TLS on loopback, driven by wrk at 1, 16 and 100
/// connections, each beside the in-process rate of the same operation measured in the same run.
enum ServerBench {
    struct WrkResult { let rate: Double; let p50: Double; let p99: Double; let non2xx: Int }
    /// One wrk run: the operation, its connections, wrk's figures and the in-process rate it is compared with.
    struct Measured { let label: String; let connections: Int; let result: WrkResult; let baseline: Double }

    static func wrk(url: String, connections: Int, seconds: Int, script: URL) -> WrkResult? {
        guard let text = toolOutput(["wrk", "-t\(min(2, connections))", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script.path, url]) else {
            return nil
        }
        func ms(_ s: Substring) -> Double? {
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.hasSuffix("us"), let v = Double(t.dropLast(2)) { return v / 1000 }
            if t.hasSuffix("ms"), let v = Double(t.dropLast(2)) { return v }
            if t.hasSuffix("s"), let v = Double(t.dropLast(1)) { return v * 1000 }
            return nil
        }
        var rate = 0.0, p50 = 0.0, p99 = 0.0, non2xx = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("Requests/sec:"), let v = Double(parts.last ?? "") { rate = v }
            if parts.first == "50%", parts.count == 2, let v = ms(parts[1]) { p50 = v }
            if parts.first == "99%", parts.count == 2, let v = ms(parts[1]) { p99 = v }
            if line.contains("Non-2xx or 3xx responses:"), let v = Int(parts.last ?? "") { non2xx = v }
        }
        return WrkResult(rate: rate, p50: p50, p99: p99, non2xx: non2xx)
    }

    static func luaPOST(path: String, body: String, headers: [String: String], in dir: URL) throws -> URL {
        var lua = "wrk.method = \"POST\"\nwrk.path = \"\(path)\"\nwrk.body = [==[\(body)]==]\n"
        for (k, v) in headers { lua += "wrk.headers[\"\(k)\"] = \"\(v)\"\n" }
        let url = dir.appendingPathComponent("post-\(UUID().uuidString).lua")
        try lua.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A wrk script that enrolls one device CSR (the same one, again and again) under label FFF1-8000.
    static func estEnrollScript(token: String, in dir: URL) throws -> URL {
        let csrKey = P256.Signing.PrivateKey()
        let csr = try CertificateSigningRequest(version: .v1, subject: try DistinguishedName { CommonName("bench device") }, privateKey: .init(csrKey),
                                                attributes: CertificateSigningRequest.Attributes())
        var s = DER.Serializer()
        try s.serialize(csr)
        return try luaPOST(path: "/.well-known/est/FFF1-8000/simpleenroll", body: Data(s.serializedBytes).base64EncodedString(),
                           headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/pkcs10"], in: dir)
    }

    /// A self-signed certificate for the bench's CD signing key, so the server's CD key store can load it.
    static func cdCertificate(_ key: P256.Signing.PrivateKey, in dir: URL) throws {
        let name = try DistinguishedName { CommonName("bench CD signer") }
        let cert = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: Date(timeIntervalSinceNow: -3600),
                                   notValidAfter: Date(timeIntervalSinceNow: 86400), issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                                   extensions: try Certificate.Extensions {
                                       SubjectKeyIdentifier(keyIdentifier: Array(Insecure.SHA1.hash(data: key.publicKey.x963Representation))[...])
                                   }, issuerPrivateKey: .init(key))
        try cert.serializeAsPEM().pemString.write(to: dir.appendingPathComponent("cd.pem"), atomically: true, encoding: .utf8)
    }

    /// The figures it printed (none when the server did not start; those before it stopped when wrk is missing).
    @discardableResult
    static func run(authority: Authority, pai: String, inProcessIssue: Double, inProcessVerify: Double, verifyBody: String,
                    paa: ParsedCertificate, cdKey: P256.Signing.PrivateKey, seconds: Int, profile: Bool = false) throws -> [Measured] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("matter-ca-bench-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("cd"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }   // every run left its folder in /tmp
        try cdCertificate(cdKey, in: dir.appendingPathComponent("cd"))
        let (_, token) = try Credentials.createToken(ledger: authority.ledger, vid: VendorID(0xFFF1), label: "bench", actor: "bench", now: Date())
        var options = ServerOptions()
        options.port = 0
        options.verifier = VerifierConfiguration(cdKeys: dir.appendingPathComponent("cd"))
        options.verifier.extraPAAs = [(paa, "bench PAA")]
        let started = URLBox()
        Task.detached {
            try await AuthorityServer.run(authority: authority, options: options) { line in
                if line.hasPrefix("listening on ") { started.set(String(line.dropFirst("listening on ".count))) }
            }
        }
        var url: String?
        for _ in 0..<200 where url == nil { usleep(50_000); url = started.get() }
        guard let url else { print("  server did not start"); return [] }
        let est = try estEnrollScript(token: token, in: dir)
        let verify = try luaPOST(path: "/v1/verify", body: verifyBody,
                                 headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], in: dir)
        var measured: [Measured] = []
        for (label, script, baseline) in [("EST simpleenroll", est, inProcessIssue), ("POST /v1/verify", verify, inProcessVerify)] {
            for c in profile ? [label == "EST simpleenroll" ? 100 : 16] : [1, 16, 100] {
                guard let r = wrk(url: url, connections: c, seconds: seconds, script: script) else {
                    print("  wrk is not installed (scripts/setup installs it)"); return measured
                }
                measured.append(Measured(label: label, connections: c, result: r, baseline: baseline))
                print(String(format: "  %-18@ %3d conns: %8.0f /s  p50 %6.2f ms  p99 %6.2f ms  ratio to in-process %.2f%@", label as NSString, c, r.rate, r.p50, r.p99,
                             r.rate / baseline, r.non2xx > 0 ? " (\(r.non2xx) non-2xx!)" as NSString : "" as NSString))
            }
        }
        return measured
    }
}

final class URLBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?
    func set(_ v: String) { lock.withLock { value = v } }
    func get() -> String? { lock.withLock { value } }
}

/// The standard output of a tool on the PATH, or nil when it cannot be run. Through popen/pclose (waitpid), not
/// Foundation's Process: once the in-process server has run, Process.waitUntilExit can miss its child's exit here
/// and wait forever beside a zombie. The environment is the bench's own (secrets never go on argv).
func toolOutput(_ arguments: [String]) -> String? {
    guard let r = toolRun(arguments), r.status != 127 else { return nil }
    return r.output
}

/// A tool's exit status and standard output (standard error dropped).
func toolRun(_ arguments: [String]) -> (status: Int32, output: String)? {
    let command = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ") + " 2>/dev/null"
    guard let pipe = popen(command, "r") else { return nil }
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, pipe)
        if n <= 0 { break }
        data += buffer[0..<n]
    }
    let status = pclose(pipe)
    // 127: the shell did not find the tool.
    return ((status >> 8) & 0xFF, String(decoding: data, as: UTF8.self))
}

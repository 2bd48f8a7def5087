import Foundation
import MatterPKI
import Testing
import TestSupport

/// EST against a real server on 127.0.0.1, with openssl + curl and strongSwan's `pki --est` as the clients and
/// openssl and the Matter SDK as judges.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct ESTTests {
    @Test func opensslAndCurlEnrollADACThatOpenSSLAndTheSDKAccept() throws {
        let f = try ServerFixture()
        let dir = try CLI.tempDirectory("est")
        let (csr, _) = try ServerFixture.csr(in: dir)
        let r = try f.server.curl("/.well-known/est/FFF1-8000/simpleenroll", method: "POST", basic: "factory:\(f.fff1.secret)",
                                  contentType: "application/pkcs10", body: ServerFixture.base64(csr))
        #expect(r.status == 200, "\(r.body)")
        #expect(r.headers.lowercased().contains("content-type: application/pkcs7-mime; smime-type=certs-only"))
        let dacPEM = try ServerFixture.certificates(fromPKCS7: r.body, in: dir)
        try dacPEM.write(to: dir.appendingPathComponent("dac.pem"), atomically: true, encoding: .utf8)
        let chain = try f.server.curl("/.well-known/est/FFF1-8000/cacerts")
        #expect(chain.status == 200)
        let chainPEM = try ServerFixture.certificates(fromPKCS7: chain.body, in: dir)
        try chainPEM.write(to: dir.appendingPathComponent("chain.pem"), atomically: true, encoding: .utf8)
        let v = try CLI.exec("openssl", ["verify", "-x509_strict", "-CAfile", dir.appendingPathComponent("chain.pem").path, dir.appendingPathComponent("dac.pem").path])
        #expect(v.status == 0 && v.stdout.contains("dac.pem: OK"), "\(v.output)")
        let dac = try CertificateFile.read(path: dir.appendingPathComponent("dac.pem").path)
        #expect(try dac.matterVIDPID() == MatterVIDPID(vid: VendorID(0xFFF1), pid: ProductID(0x8000), source: .attributes))
        // In the ledger before the response left.
        #expect(try f.home.run(["show", dac.serialHex]).status == 0)
        if SDKJudge.installed {
            let certs = chainPEM.components(separatedBy: "-----END CERTIFICATE-----").filter { $0.contains("BEGIN") }.map { $0 + "-----END CERTIFICATE-----\n" }
            let parsed = try certs.map { try CertificateFile.parse(Array($0.utf8), name: "chain") }
            let paa = try #require(parsed.first { $0.subject == $0.issuer }), pai = try #require(parsed.first { $0.subject != $0.issuer })
            let verdict = try SDKJudge.judgeChains([(paa.der, pai.der, dac.der)])
            #expect(verdict.first?.ok == true, "the SDK refuses the EST DAC: \(verdict.first?.problems ?? [])")
        }
    }

    @Test func strongSwanPkiEnrollsOverEST() throws {
        let f = try ServerFixture(arguments: ["--est-default-label", "FFF2-8100"])
        let dir = try CLI.tempDirectory("pki")
        let (csr, _) = try ServerFixture.csr(in: dir)
        try csr.write(to: dir.appendingPathComponent("device.csr"))
        let r = try CLI.exec("pki", ["--est", "--url", f.server.url, "--cacert", f.server.caPEM, "--userpass", "factory:\(f.fff2.secret)",
                                     "--in", dir.appendingPathComponent("device.csr").path, "--outform", "pem"])
        #expect(r.status == 0, "\(r.output)")
        let dac = try CertificateFile.parse(Array(r.stdout.utf8), name: "pki output")
        #expect(try dac.matterVIDPID() == MatterVIDPID(vid: VendorID(0xFFF2), pid: ProductID(0x8100), source: .attributes))
    }

    @Test func serverkeygenReturnsAKeyThatMatchesItsCertificate() throws {
        let f = try ServerFixture()
        let dir = try CLI.tempDirectory("skg")
        let (csr, _) = try ServerFixture.csr(in: dir)
        let r = try f.server.curl("/.well-known/est/FFF1-8000/serverkeygen", method: "POST", token: f.fff1.secret, contentType: "application/pkcs10",
                                  body: ServerFixture.base64(csr))
        #expect(r.status == 200, "\(r.body)")
        let boundary = try #require(r.headers.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-type: multipart/mixed") }?
            .components(separatedBy: "boundary=").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let parts = r.body.components(separatedBy: "--\(boundary)").filter { $0.contains("Content-Type") }
        #expect(parts.count == 2)
        func payload(_ p: String) -> String { p.components(separatedBy: "\r\n\r\n").last!.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(parts[0].contains("application/pkcs8") && parts[1].contains("application/pkcs7-mime"))
        let key = dir.appendingPathComponent("k.der"), cert = dir.appendingPathComponent("c.pem")
        try Data(base64Encoded: payload(parts[0]))!.write(to: key)
        try ServerFixture.certificates(fromPKCS7: payload(parts[1]), in: dir).write(to: cert, atomically: true, encoding: .utf8)
        let fromKey = try CLI.exec("openssl", ["pkey", "-inform", "DER", "-in", key.path, "-pubout"])
        let fromCert = try CLI.exec("openssl", ["x509", "-in", cert.path, "-noout", "-pubkey"])
        #expect(fromKey.status == 0 && !fromKey.stdout.isEmpty && fromKey.stdout == fromCert.stdout)
    }

    @Test func simplereenrollNeedsTheOldDACAndKeepsItsVIDAndPID() throws {
        let f = try ServerFixture()
        let dir = try CLI.tempDirectory("reenroll")
        let (csr, key) = try ServerFixture.csr(in: dir)
        let first = try f.server.curl("/.well-known/est/FFF1-8001/simpleenroll", method: "POST", token: f.fff1.secret, contentType: "application/pkcs10",
                                      body: ServerFixture.base64(csr))
        #expect(first.status == 200)
        let dacPEM = dir.appendingPathComponent("dac.pem")
        try ServerFixture.certificates(fromPKCS7: first.body, in: dir).write(to: dacPEM, atomically: true, encoding: .utf8)
        let (csr2, _) = try ServerFixture.csr(in: dir, name: "renewed")
        let before = try f.home.ledgerState()
        let withoutCert = try f.server.curl("/.well-known/est/simplereenroll", method: "POST", contentType: "application/pkcs10", body: ServerFixture.base64(csr2))
        #expect(withoutCert.status == 401 && withoutCert.body.contains("no credentials"), "\(withoutCert.body)")
        let withToken = try f.server.curl("/.well-known/est/simplereenroll", method: "POST", token: f.fff1.secret, contentType: "application/pkcs10",
                                          body: ServerFixture.base64(csr2))
        #expect(withToken.status == 403 && withToken.body.contains("authenticated with the TLS client certificate being renewed"), "\(withToken.body)")
        #expect(try f.home.ledgerState() == before)
        let renewed = try f.server.curl("/.well-known/est/simplereenroll", method: "POST", contentType: "application/pkcs10", body: ServerFixture.base64(csr2),
                                        extra: ["--cert", dacPEM.path, "--key", key.path])
        #expect(renewed.status == 200, "\(renewed.body)")
        let newDAC = try CertificateFile.parse(Array(try ServerFixture.certificates(fromPKCS7: renewed.body, in: dir).utf8), name: "renewed")
        let oldDAC = try CertificateFile.read(path: dacPEM.path)
        #expect(try newDAC.matterVIDPID() == oldDAC.matterVIDPID() && newDAC.serialHex != oldDAC.serialHex)
        #expect(newDAC.issuer == oldDAC.issuer)
    }

    @Test func csrattrsAndCacertsNeedNoCredentials() throws {
        let f = try ServerFixture()
        let attrs = try f.server.curl("/.well-known/est/FFF1-8000/csrattrs")
        #expect(attrs.status == 200 && attrs.headers.lowercased().contains("application/csrattrs"))
        let der = try #require(Data(base64Encoded: attrs.body.filter { !$0.isWhitespace }))
        let dir = try CLI.tempDirectory("attrs")
        try der.write(to: dir.appendingPathComponent("a.der"))
        let parsed = try CLI.exec("openssl", ["asn1parse", "-inform", "DER", "-in", dir.appendingPathComponent("a.der").path])
        #expect(parsed.stdout.contains("ecdsa-with-SHA256") && parsed.stdout.contains("id-ecPublicKey") && parsed.stdout.contains("prime256v1"), "\(parsed.output)")
        let all = try f.server.curl("/.well-known/est/cacerts")
        #expect(all.status == 200)
        #expect(try ServerFixture.certificates(fromPKCS7: all.body, in: dir).components(separatedBy: "BEGIN CERTIFICATE").count - 1 == 3)
    }
}

/// Concurrent enrollments are committed together (one transaction for those that arrive while a commit runs): each
/// still answers only once its DAC is in the ledger, and the audit chain binds every one.
@Suite(.enabled(if: TestHome.softHSMAvailable, TestHome.softHSMMissing)) struct ConcurrentEnrollmentTests {
    @Test func fortyConcurrentEnrollmentsAreAllRecorded() throws {
        let f = try ServerFixture()
        let dir = try CLI.tempDirectory("concurrent")
        let bodies = try (0..<40).map { ServerFixture.base64(try ServerFixture.csr(in: dir, name: "d\($0)").der) }
        let results = Locked<[Int: (Int, String)]>([:])
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            let r = try? f.server.curl("/.well-known/est/FFF1-8000/simpleenroll", method: "POST", token: f.fff1.secret, contentType: "application/pkcs10", body: bodies[i])
            results.with { $0[i] = (r?.status ?? -1, r?.body ?? "") }
        }
        let all = results.with { $0 }
        #expect(all.values.allSatisfy { $0.0 == 200 }, "\(all.values.filter { $0.0 != 200 }.prefix(3))")
        let serials = try all.values.map { try CertificateSerial.of(pkcs7: $0.1, in: dir) }
        #expect(Set(serials).count == 40)
        let dacs = Set((try f.home.json(["list", "dac"]) as! [[String: Any]]).map { $0["serial"] as! String })
        #expect(Set(serials).isSubset(of: dacs) && dacs.count == 40)
        #expect(try f.home.run(["audit", "verify"]).status == 0)
    }
}

final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ v: T) { value = v }
    func with<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&value) } }
}

import Authority
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import MatterPKI
import Metrics
import NIOCore
import NIOPosix
import X509

/// EST (RFC 7030, with RFC 8951's clarifications) under `/.well-known/est/` and `/.well-known/est/<label>/`. A label
/// "VVVV-PPPP" fixes the vendor (VID), the product (PID) and so the PAI (the vendor's PAI for that product). Every
/// certificate goes through the one issue path and is in the ledger before the response leaves.
struct ESTRoutes: Sendable {
    let authority: Authority
    let auth: Authenticator
    /// The label of the unlabelled paths (`--est-default-label`), for clients that cannot send one.
    let defaultLabel: String?

    /// What each label resolved to, while the audit log records nothing beyond issuance (every enrollment resolves
    /// its label: two ledger reads otherwise).
    let labels: LedgerFactsCache<String, Target>

    struct Target: Sendable {
        let vid: VendorID, pid: ProductID, pai: String
    }

    init(authority: Authority, auth: Authenticator, defaultLabel: String?) {
        self.authority = authority; self.auth = auth; self.defaultLabel = defaultLabel
        labels = LedgerFactsCache(ledger: authority.ledger)
    }

    static let pkcs7 = "application/pkcs7-mime; smime-type=certs-only"

    /// The vendor, product and PAI a label names.
    func resolve(_ given: String?) throws -> (VendorID, ProductID, String) {
        guard let label = given ?? defaultLabel else {
            throw Problem.notFound("EST enrollment needs a label: /.well-known/est/<VID>-<PID>/… (for example FFF1-8000), or a server started with --est-default-label")
        }
        let t = try labels.value(label) { try read(label) }
        return (t.vid, t.pid, t.pai)
    }

    private func read(_ label: String) throws -> Target {
        let parts = label.split(separator: "-").map(String.init)
        guard parts.count == 2, let vid = VendorID(hex: parts[0]), let pid = ProductID(hex: parts[1]) else {
            throw Problem.notFound("EST label \"\(label)\" is not <VID>-<PID> in hex (for example FFF1-8000)")
        }
        guard let vendor = try authority.ledger.vendor(vid: Int(vid.rawValue)) else {
            throw Problem.notFound("EST label \"\(label)\": no vendor \(vid.hex) in the registry")
        }
        let pais = try authority.ledger.authorities(type: "pai").filter {
            vendor.paiSKIDs.contains($0.skid) && $0.vid == Int(vid.rawValue) && ($0.pid == nil || $0.pid == Int(pid.rawValue))
        }
        // A PAI scoped to the product wins over the vendor's general one.
        guard let pai = pais.first(where: { $0.pid != nil }) ?? pais.first else {
            throw Problem.notFound("EST label \"\(label)\": vendor \(vid.hex) has no PAI for product \(pid.hex)")
        }
        return Target(vid: vid, pid: pid, pai: pai.skid)
    }

    /// The body of an EST POST: base64 DER whether or not Content-Transfer-Encoding is sent (RFC 8951 §3.2).
    static func base64Body(_ bytes: [UInt8], what: String) throws -> [UInt8] {
        // Line breaks and spaces are allowed between base64 characters; anything else is not base64. Filtered as
        // bytes: a Character's Unicode whitespace property was 2 % of an EST server's CPU (perf).
        let text = bytes.filter { !($0 == 0x20 || (0x09...0x0D).contains($0)) }
        guard !text.isEmpty else { throw Problem.badRequest("empty-body", "the body is empty: send a base64 DER \(what)") }
        guard let der = Data(base64Encoded: Data(text)), !der.isEmpty else { throw Problem.badRequest("bad-base64", "the body is not base64 (RFC 7030 §4.2.1): a base64 DER \(what)") }
        return Array(der)
    }

    func csrKey(_ request: Request, _ context: AppContext) async throws -> P256.Signing.PublicKey {
        try requireContentType(request, ["application/pkcs10"])
        let der = try Self.base64Body(try await body(request, context), what: "PKCS#10 request")
        switch CSRCheck.key(der, name: "the CSR") {
        case .success(let k): return k
        case .failure(let p): throw Problem.badRequest("bad-csr", p.reason)
        }
    }

    func certsOnly(_ ders: [[UInt8]]) -> Response {
        Response(status: .ok, headers: [.contentType: Self.pkcs7, HTTPField.Name("Content-Transfer-Encoding")!: "base64"],
                 body: .init(byteBuffer: ByteBuffer(string: PKCS7.base64(PKCS7.certsOnly(ders)))))
    }


    func issue(_ vid: VendorID, _ pid: ProductID, _ pai: String, key: P256.Signing.PublicKey, by principal: Principal, route: String) async throws -> [UInt8] {
        // Signed on the blocking pool; the commit is awaited without holding one of its threads.
        let signed = try await Blocking.run {
            try authority.signSingle(IssueRequest(.dac(vendor: vid, pid: pid, pai: pai), name: ""), publicKey: key, by: principal)
        }
        let der: [UInt8]
        do { der = try await authority.commit(signed).der } catch { throw Problem.from(error) }
        Counters.increment("matter_ca_certificates_issued_total", [("type", "dac"), ("route", route)])
        return der
    }

    func cacerts(_ label: String?) throws -> Response {
        let inventory = authority.inventory
        var ders: [[UInt8]] = []
        if label != nil || defaultLabel != nil {
            let (_, _, paiSKID) = try resolve(label)
            let pai = try inventory.authority(paiSKID, type: "pai")
            ders.append(try inventory.certificate(of: pai).der)
            if let parent = pai.parentSKID { ders.append(try inventory.certificate(of: try inventory.authority(parent, type: "paa")).der) }
        } else {
            for a in try authority.ledger.authorities() { ders.append(try inventory.certificate(of: a).der) }
        }
        return certsOnly(ders)
    }

    func simpleEnroll(_ request: Request, _ context: AppContext, label: String?) async throws -> Response {
        let principal = try await auth.principal(request, context)
        let (vid, pid, pai) = try resolve(label)
        let key = try await csrKey(request, context)
        return certsOnly([try await issue(vid, pid, pai, key: key, by: principal, route: "est")])
    }

    /// Authenticated with the certificate being renewed: the new DAC keeps its VID, PID and PAI.
    func simpleReenroll(_ request: Request, _ context: AppContext, label: String?) async throws -> Response {
        let principal = try await auth.principal(request, context)
        guard case .device(let vid, let pid, let serial) = principal else {
            throw Problem.forbidden("notPermitted: simplereenroll is authenticated with the TLS client certificate being renewed (a DAC of this authority), not \(principal)")
        }
        if let label {
            let (lv, lp, _) = try resolve(label)
            guard lv == vid, lp == pid else { throw Problem.forbidden("notPermitted: the DAC being renewed is \(vid.hex)/\(pid.hex), the label names \(lv.hex)/\(lp.hex)") }
        }
        guard let old = try authority.ledger.certificates(matching: serial).first(where: { $0.type == "dac" }) else { throw Problem.unauthorized("DAC \(serial) is not in the ledger") }
        let key = try await csrKey(request, context)
        return certsOnly([try await issue(vid, pid, old.issuerSKID, key: key, by: principal, route: "est-reenroll")])
    }

    /// RFC 7030 §4.4: the key is made here and returned with its certificate (multipart/mixed). The CSR's own key is
    /// not used; its signature must still verify.
    func serverKeygen(_ request: Request, _ context: AppContext, label: String?) async throws -> Response {
        let principal = try await auth.principal(request, context)
        let (vid, pid, pai) = try resolve(label)
        try requireContentType(request, ["application/pkcs10"])
        let der = try Self.base64Body(try await body(request, context), what: "PKCS#10 request")
        guard let csr = try? CertificateSigningRequest(derEncoded: der) else { throw Problem.badRequest("bad-csr", "not a PKCS#10 certificate request") }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else { throw Problem.badRequest("bad-csr", "the CSR's signature does not verify") }
        let key = P256.Signing.PrivateKey()
        let cert = try await issue(vid, pid, pai, key: key.publicKey, by: principal, route: "est-serverkeygen")
        let boundary = "matter-ca-" + UUID().uuidString
        let text = "--\(boundary)\r\nContent-Type: application/pkcs8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + PKCS7.base64(Array(key.derRepresentation)) + "\r\n"
            + "--\(boundary)\r\nContent-Type: \(Self.pkcs7)\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + PKCS7.base64(PKCS7.certsOnly([cert])) + "\r\n--\(boundary)--\r\n"
        return Response(status: .ok, headers: [.contentType: "multipart/mixed; boundary=\(boundary)"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The same for every label; a label that is not <VID>-<PID> is still refused, as on the other operations.
    func csrAttrs(_ label: String?) throws -> Response {
        if let label { _ = try resolve(label) }
        return Response(status: .ok, headers: [.contentType: "application/csrattrs", HTTPField.Name("Content-Transfer-Encoding")!: "base64"],
                 body: .init(byteBuffer: ByteBuffer(string: PKCS7.base64(PKCS7.csrAttributes))))
    }
}

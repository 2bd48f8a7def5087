import Authority
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import MatterPKI
import NIOCore
import NIOPosix

/// REST `/v1`: batches as jobs, the certificate inventory, the CA chain, vendors (admin), verification.
struct RESTRoutes: Sendable {
    let authority: Authority
    let auth: Authenticator
    let jobs: BatchJobs
    let verify: VerifyService

    struct BatchRequestBody: Decodable {
        let vendor, pid, pai: String
        let count: Int?
        let csrs: [String]?
    }

    func postBatch(_ request: Request, _ context: AppContext) async throws -> Response {
        let principal = try await auth.principal(request, context)
        try requireContentType(request, ["application/json"])
        let bytes = try await body(request, context)
        let b: BatchRequestBody
        do { b = try JSONDecoder().decode(BatchRequestBody.self, from: Data(bytes)) } catch {
            throw Problem.badRequest("bad-json", "the body is not a batch request: \(VerifyService.describe(error))")
        }
        let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? UUID().uuidString
        guard !key.isEmpty, key.count <= 200 else { throw Problem.badRequest("bad-idempotency-key", "Idempotency-Key must be 1 to 200 characters") }
        var saved = BatchJobs.Saved(vendor: b.vendor, pid: b.pid, pai: b.pai, idempotencyKey: key, count: b.count, csrs: b.csrs,
                                    principal: principal.description, principalVID: nil, principalRole: "vendor")
        switch principal {
        case .vendor(let v, _): saved.principalVID = v.hex
        case .admin, .operator: saved.principalRole = "admin"
        case .device: throw Problem.forbidden("notPermitted: a device certificate cannot order batches")
        }
        let job = saved
        try await Blocking.run { try jobs.submit(job, principal: principal) }
        return try json(try status(key, principal: principal, deliverKeys: false), status: .accepted,
                        headers: [.location: "/v1/batches/\(key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key)"])
    }

    func getBatch(_ request: Request, _ context: AppContext) async throws -> Response {
        let principal = try await auth.principal(request, context)
        let key = try context.parameters.require("id")
        return try json(try await Blocking.run { try status(key, principal: principal, deliverKeys: true) })
    }

    struct BatchStatus: Encodable {
        let id: String
        let batch: String?
        let status: String
        let total: Int?
        let issued: Int
        let error: String?
        let certificates: [Item]?
        let keys: [Item]?
        let keysDelivered: Bool?
        struct Item: Encodable { let serial, pem: String }
    }

    /// Progress from the ledger (any instance sees it); results once complete. Generated keys are delivered once:
    /// after the first complete answer they are removed from the server.
    func status(_ key: String, principal: Principal, deliverKeys: Bool) throws -> BatchStatus {
        guard let batch = try authority.ledger.batch(idempotencyKey: key) else {
            if jobs.isRunning(key) { return BatchStatus(id: key, batch: nil, status: "queued", total: nil, issued: 0, error: nil, certificates: nil, keys: nil, keysDelivered: nil) }
            throw Problem.notFound("no batch with id \"\(key)\"")
        }
        try allowed(principal, vid: batch.vid)
        let issued = try authority.ledger.batchItemsIssued(batch.id).count
        let state: String
        var error: String?
        switch jobs.state(key) {
        case .running?: state = "running"
        case .failed(let e)?: state = "failed"; error = e
        case .stopped?: state = "stopped"
        case nil:
            // Not running here: completed, running on another instance (its lease is live), or waiting to be resumed.
            state = batch.status == "completed" ? "completed" : Authority.isHeld(batch, at: authority.clock()) ? "running" : "interrupted"
        }
        guard batch.status == "completed", deliverKeys else {
            return BatchStatus(id: key, batch: batch.id, status: state, total: batch.count, issued: issued, error: error, certificates: nil, keys: nil, keysDelivered: nil)
        }
        let certificates = try authority.ledger.batchCertificates(batch.id).map { BatchStatus.Item(serial: $0.serial, pem: CertificateFile.pem(Array($0.der))) }
        var keys: [BatchStatus.Item]?
        var delivered: Bool?
        if batch.kind == "generated" {
            let folder = jobs.folder(key)
            let marker = folder.appendingPathComponent("keys-delivered")
            if FileManager.default.fileExists(atPath: marker.path) { delivered = true } else {
                keys = certificates.compactMap { c in
                    (try? String(contentsOf: folder.appendingPathComponent("dac-key-\(c.serial).pem"), encoding: .utf8)).map { .init(serial: c.serial, pem: $0) }
                }
                try FileOutput.write(Data(), to: marker, mode: 0o600)
                for c in certificates {
                    for name in ["dac-key-\(c.serial).pem", "dac-key-\(c.serial).der"] { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
                }
                delivered = false
            }
        }
        return BatchStatus(id: key, batch: batch.id, status: "completed", total: batch.count, issued: issued, error: nil,
                           certificates: certificates, keys: keys, keysDelivered: delivered)
    }

    func allowed(_ principal: Principal, vid: Int?) throws {
        switch principal {
        case .admin, .operator: return
        case .vendor(let v, _) where vid == Int(v.rawValue): return
        case .device(let v, _, _) where vid == Int(v.rawValue): return
        default: throw Problem.forbidden("notPermitted: \(principal) may not see another vendor's certificates")
        }
    }

    func getCertificate(_ request: Request, _ context: AppContext) async throws -> Response {
        let principal = try await auth.principal(request, context)
        let serial = try context.parameters.require("serial")
        guard strictHexValue(serial.prefix(16), digits: 1...16) != nil, serial.count <= 40 else {
            throw Problem.badRequest("bad-serial", "\"\(serial)\" is not a hex serial number")
        }
        guard let r = try authority.ledger.certificates(matching: serial).first(where: { $0.serial == serial.uppercased() }) else {
            throw Problem.notFound("no certificate with serial \(serial.uppercased())")
        }
        try allowed(principal, vid: r.type == "dac" ? r.vid : nil)
        struct Out: Encodable {
            let type, serial, skid, issuerSKID, subject, notBefore, notAfter, status, sha256, pem: String
            let vid, pid, batch: String?
        }
        return try json(Out(type: r.type, serial: r.serial, skid: r.skid, issuerSKID: r.issuerSKID, subject: r.subject,
                            notBefore: LedgerTime.iso8601(r.notBefore), notAfter: LedgerTime.iso8601(r.notAfter), status: r.status, sha256: r.sha256,
                            pem: CertificateFile.pem(Array(r.der)), vid: r.vid.map { String(format: "%04X", $0) },
                            pid: r.pid.map { String(format: "%04X", $0) }, batch: r.batchID))
    }

    func getCAs() throws -> Response {
        struct CA: Encodable { let type, name, skid: String; let parent, vid, pid: String?; let pem: String }
        let inventory = authority.inventory
        return try json(try authority.ledger.authorities().map { a in
            CA(type: a.type, name: a.name, skid: a.skid, parent: a.parentSKID, vid: a.vid.map { String(format: "%04X", $0) },
               pid: a.pid.map { String(format: "%04X", $0) }, pem: CertificateFile.pem(try inventory.certificate(of: a).der))
        })
    }

    func getVendors(_ request: Request, _ context: AppContext) async throws -> Response {
        _ = try await auth.admin(request, context)
        struct V: Encodable { let vid, name: String; let contact: String?; let products, pais: [String] }
        return try json(try authority.ledger.vendors().map { d in
            V(vid: String(format: "%04X", d.vendor.vid), name: d.vendor.name, contact: d.vendor.contact,
              products: d.products.map { $0.count == 1 ? String(format: "%04X", $0.lowerBound) : String(format: "%04X-%04X", $0.lowerBound, $0.upperBound) },
              pais: d.paiSKIDs)
        })
    }

    func postVerify(_ request: Request, _ context: AppContext) async throws -> Response {
        _ = try await auth.principal(request, context)
        try requireContentType(request, ["application/json"])
        let bytes = try await body(request, context)
        return try json(try verify.handle(bytes))
    }

}

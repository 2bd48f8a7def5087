import ArgumentParser
import Authority
import Foundation
import MatterPKI

/// `pai csr`: a PAI key for a PAA run by someone else, and the request they sign.
struct PAICSR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csr", abstract: "Generate a PAI key in the token and write a PKCS#10 request for an external PAA to sign.",
        discussion: "The request carries CN and the Matter VID (and PID) attributes, and asks for the PAI extensions. `matter-ca pai import` accepts the certificate the PAA operator returns.")
    @OptionGroup var options: HomeOptions
    @Option(help: "VID (hex).") var vid: String
    @Option(help: "PID (hex), for a PAI scoped to one product.") var pid: String?
    @Option(help: "Common name (the name VendorRegistry/ files use to name the PAI).") var cn: String
    @Option(help: "Write the request (PEM) here; an existing file is refused. Default: standard output.") var out: String?
    @Flag(help: "Print JSON.") var json = false

    struct Report: Encodable { let request, ceremony, keyLabel, keyID, csr: String; let file: String? }

    func run() throws {
        let v: VendorID = try InputFiles.matterID(vid, "--vid")
        let p: ProductID? = try pid.map { try InputFiles.matterID($0, "--pid") }
        let authority = try options.open()
        let r: PAIRequestResult
        do { r = try authority.requestPAI(name: cn, vid: v, pid: p, out: out.map { URL(fileURLWithPath: $0) }) } catch { throw CLIExit.refused(oneLine(error)) }
        let rep = Report(request: r.request.requestID, ceremony: r.request.ceremony.id, keyLabel: r.request.keyLabel, keyID: r.keyID, csr: r.csr.pem,
                         file: r.file?.path)
        if json { writeStdout(jsonString(rep)); return }
        if let f = r.file {
            writeStdout("PAI request \(rep.request) (ceremony \(rep.ceremony))\n  key \"\(rep.keyLabel)\", CKA_ID \(rep.keyID)\n  request \(f.path)\n")
        } else {
            writeStdout(r.csr.pem)
        }
    }
}

/// `pai import`: the PAI certificate an external PAA operator returned for a `pai csr`.
struct PAIImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Accept the PAI certificate an external PAA signed for a pending `pai csr`.",
        discussion: "Accepted only if its key is a pending request's, it passes the Matter PAI profile, its VID (and PID) are the request's, and it chains to the PAA (--paa-cert, else a PAA already in the ledger). The PAA is recorded as external: trusted for this chain, holding no key here.")
    @OptionGroup var options: HomeOptions
    @Argument(help: "The PAI certificate, PEM or DER.") var file: String
    @Option(help: "The PAA certificate (PEM or DER), when the ledger does not hold it yet.") var paaCert: String?
    @Flag(help: "Print JSON.") var json = false

    struct Report: Encodable {
        let type, name, skid, serial, subject, sha256, request, paa: String
        let paaImported, keyIDChanged, filesWritten: Bool
        let files: [String]
    }

    func run() throws {
        let pai = try read(file)
        let paa = try paaCert.map(read)
        let authority = try options.open()
        let r: PAIImportResult
        do { r = try authority.importPAI(pai, paa: paa) } catch { throw CLIExit.refused(oneLine(error)) }
        let c = r.certificate
        let rep = Report(type: "pai", name: r.pai.name, skid: r.pai.skid, serial: c.serialHex, subject: "\(c.subject)", sha256: c.sha256.hexString,
                         request: r.request.requestID, paa: r.paa.skid, paaImported: r.paaImported, keyIDChanged: r.keyIDChanged,
                         filesWritten: r.filesNotWritten == nil, files: r.files.map(\.path))
        if json { writeStdout(jsonString(rep)) } else {
            writeStdout("PAI \(rep.subject)\n  SKID \(rep.skid)\n  serial \(rep.serial)\n  under \(r.paaImported ? "external PAA (recorded now)" : "PAA") \(rep.paa) \"\(r.paa.name)\"\n"
                        + (r.keyIDChanged ? "  token key CKA_ID set to the certificate's SKID\n" : "") + (rep.files.first.map { "  certificate \($0)\n" } ?? ""))
        }
        if let problem = r.filesNotWritten {
            throw CLIExit.refused("PAI \(rep.skid) imported; files not written (\(problem)); `matter-ca export \(rep.skid)` writes them")
        }
    }

    func read(_ path: String) throws -> ParsedCertificate {
        do { return try CertificateFile.read(path: path) } catch { throw CLIExit.unreadable(error.description) }
    }
}

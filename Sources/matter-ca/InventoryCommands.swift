import ArgumentParser
import Authority
import Foundation
import Ledger
import MatterPKI

/// One JSON shape for a certificate of the ledger, with ISO 8601 dates (9999-12-31T23:59:59Z for no expiry).
struct CertificateJSON: Encodable {
    let type, serial, skid, issuerSKID, subject, notBefore, notAfter, status, sha256: String
    let vid, pid, batch: String?
    init(_ r: CertificateRecord) {
        type = r.type; serial = r.serial; skid = r.skid; issuerSKID = r.issuerSKID; subject = r.subject
        notBefore = LedgerTime.iso8601(r.notBefore); notAfter = LedgerTime.iso8601(r.notAfter); status = r.status; sha256 = r.sha256
        vid = r.vid.map { String(format: "%04X", $0) }; pid = r.pid.map { String(format: "%04X", $0) }; batch = r.batchID
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List PAAs, PAIs or DACs in the ledger (no PIN needed).")
    @OptionGroup var options: HomeOptions
    @Argument(help: "paa, pai or dac (default: all certificates).") var type: String?
    @Option(help: "DACs of this vendor (hex VID).") var vendor: String?
    @Option(help: "DACs of this batch (ID).") var batch: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        if let t = type, !["paa", "pai", "dac"].contains(t) { throw CLIExit.unreadable("list: \(t) is not paa, pai or dac") }
        let vid = try vendor.map { Int((try InputFiles.matterID($0, "--vendor") as VendorID).rawValue) }
        if (vid != nil || batch != nil) && type != "dac" { throw CLIExit.unreadable("--vendor and --batch filter DACs: use list dac") }
        let ledger = try options.ledger()
        let records = vid != nil || batch != nil ? try ledger.dacs(vid: vid, batchID: batch) : try ledger.certificates(type: type)
        if json { writeStdout(jsonString(records.map(CertificateJSON.init))); return }
        for r in records { writeStdout("\(r.type.uppercased())  \(r.skid)  serial \(r.serial)  \(r.subject)  [\(r.status)]\n") }
        if records.isEmpty { writeStdout("(none)\n") }
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a certificate from the ledger by serial or SKID (no PIN needed).")
    @OptionGroup var options: HomeOptions
    @Argument(help: "Serial or SKID (hex).") var key: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard let r = try options.ledger().certificates(matching: key).first else { throw CLIExit.refused("no certificate with serial or SKID \(key) in the ledger") }
        try show(r, json: json)
    }
}

func show(_ r: CertificateRecord, json: Bool) throws {
    let c = try ParsedCertificate(der: Array(r.der))
    if json {
        struct Detail: Encodable { let certificate: CertificateJSON; let issuer, pem: String }
        writeStdout(jsonString(Detail(certificate: CertificateJSON(r), issuer: "\(c.issuer)", pem: CertificateFile.pem(Array(r.der)))))
    } else {
        writeStdout("\(r.type.uppercased()) \(c.subject)\n  issuer \(c.issuer) (SKID \(r.issuerSKID))\n  serial \(r.serial)\n  SKID \(r.skid)\n" +
                    (r.batchID.map { "  batch \($0)\n" } ?? "") +
                    "  validity \(LedgerTime.iso8601(r.notBefore)) … \(LedgerTime.iso8601(r.notAfter))\n  status \(r.status)\n  SHA-256 \(r.sha256)\n")
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a certificate (by SKID or serial) as PEM or DER. Keys never leave the token.")
    @OptionGroup var options: HomeOptions
    @Argument(help: "SKID or serial (hex).") var key: String
    @Option(help: "pem or der.") var format = "pem"
    @Option(help: "Output file (required for DER).") var out: String?

    func run() throws {
        guard ["pem", "der"].contains(format) else { throw CLIExit.unreadable("--format must be pem or der") }
        guard let r = try options.ledger().certificates(matching: key).first else { throw CLIExit.refused("no certificate with SKID or serial \(key) in the ledger") }
        let bytes = format == "pem" ? Data(CertificateFile.pem(Array(r.der)).utf8) : r.der
        if let out {
            do { try bytes.write(to: URL(fileURLWithPath: out)) } catch { throw CLIExit.refused("cannot write \(out): \(OutputLocation.reason(error))") }
        } else if format == "der" {
            throw CLIExit.unreadable("DER is binary: give --out FILE")
        } else {
            FileHandle.standardOutput.write(bytes)
        }
    }
}

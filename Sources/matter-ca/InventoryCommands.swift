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
    @Option(help: "At most this many, then the cursor of the next page.") var limit: Int?
    @Option(help: "The cursor a previous page ended with.") var after: Int64?
    @Flag(help: "Print JSON (with --limit: {\"certificates\": [...], \"next\": cursor or null}).") var json = false

    func run() throws {
        if let t = type, !["paa", "pai", "dac"].contains(t) { throw CLIExit.unreadable("list: \(t) is not paa, pai or dac") }
        let vid = try vendor.map { Int((try InputFiles.matterID($0, "--vendor") as VendorID).rawValue) }
        if (vid != nil || batch != nil) && type != "dac" { throw CLIExit.unreadable("--vendor and --batch filter DACs: use list dac") }
        if let limit, limit < 1 { throw CLIExit.unreadable("--limit must be positive") }
        if let after, after < 0 { throw CLIExit.unreadable("--after takes a cursor from an earlier page") }
        let ledger = try options.ledger()
        // Streamed: one row at a time from the ledger to stdout, whatever the ledger's size.
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let out = BufferedStdout()
        defer { out.flush() }
        var count = 0, last: Int64?
        if json { out.write(limit == nil ? "[" : "{\"certificates\":[") }
        do {
            try ledger.forEachCertificate(CertificateFilter(type: type, vid: vid, batchID: batch), after: after, limit: limit) { cursor, r in
                if json {
                    out.write((count == 0 ? "\n" : ",\n") + String(decoding: try enc.encode(CertificateJSON(r)), as: UTF8.self))
                } else {
                    out.write("\(r.type.uppercased())  \(r.skid)  serial \(r.serial)  \(r.subject)  [\(r.status)]\n")
                }
                count += 1; last = cursor
            }
        } catch { throw CLIExit.refused(oneLine(error)) }
        let next = limit.flatMap { count == $0 ? last : nil }
        if json {
            out.write(limit == nil ? "\n]\n" : "\n],\"next\":\(next.map { "\"\($0)\"" } ?? "null")}\n")
            return
        }
        if count == 0 { out.write("(none)\n") }
        if let next { out.write("more: --after \(next)\n") }
    }
}

/// stdout in 64 KiB writes: a listing of a million rows is not a million system calls.
final class BufferedStdout {
    private var buffer: [UInt8] = []
    init() { buffer.reserveCapacity(1 << 16) }
    func write(_ s: String) {
        buffer += s.utf8
        if buffer.count >= 1 << 16 { flush() }
    }
    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
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

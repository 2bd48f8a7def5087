import ArgumentParser
import Authority
import Foundation
import Ledger
import MatterPKI
#if canImport(Glibc)
import Glibc
#endif

struct DACCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dac", abstract: "DAC batches.", subcommands: [DACBatch.self, DACShow.self])
}

struct DACBatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Issue a batch of DACs from CSRs or with keys generated for the factory; idempotent and resumable.",
        discussion: """
            Output: dac-<serial>.der/.pem per device (plus dac-key-<serial>.der/.pem for generated keys), pai and paa, \
            manifest.csv and manifest.json. Every certificate is in the ledger before its file is written. Repeating a \
            request with the same --idempotency-key returns the same certificates; an interrupted batch completes with \
            --resume.
            """)
    @OptionGroup var options: HomeOptions
    @Option(help: "The vendor's VID (hex).") var vendor: String
    @Option(help: "PID (hex).") var pid: String
    @Option(help: "The PAI: SKID or name.") var pai: String
    @Option(help: "Directory of PKCS#10 CSRs (.csr, .pem, .der).") var csrDir: String?
    @Option(help: "A file of one or more PEM CSRs (or one DER CSR).") var csrFile: String?
    @Option(help: "Generate N keys for the factory.") var count: Int?
    @Option(help: "Output directory.") var out: String
    @Option(help: "Idempotency key (default: a new one, printed).") var idempotencyKey: String?
    @Flag(help: "Complete an interrupted batch with the same key.") var resume = false
    @Option(help: "Refuse batches larger than this.") var maxBatchSize = 100_000
    @Option(help: "Each device's files: both (PEM and DER), pem (what esp-matter-mfg-tool reads) or der.") var format = "both"
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let v: VendorID = try InputFiles.matterID(vendor, "--vendor")
        let p: ProductID = try InputFiles.matterID(pid, "--pid")
        let sources = [csrDir != nil, csrFile != nil, count != nil].filter { $0 }.count
        guard sources == 1 else { throw CLIExit.unreadable("give exactly one of --csr-dir, --csr-file, --count") }
        let source: DACBatchRequest.Source
        if let n = count {
            guard n > 0 else { throw CLIExit.unreadable("--count must be at least 1") }
            source = .generated(count: n)
        } else {
            source = .csrs(try csrDir.map(readCSRDirectory) ?? readCSRFile(csrFile!))
        }
        guard let formats = OutputFormats(rawValue: format) else { throw CLIExit.unreadable("--format \(format): both, pem or der") }
        let authority = try options.open()
        var request = DACBatchRequest(vendor: v, pid: p, pai: pai, source: source, idempotencyKey: idempotencyKey, resume: resume,
                                      output: URL(fileURLWithPath: out), maxBatchSize: maxBatchSize)
        request.formats = formats
        let bar = isatty(STDERR_FILENO) == 1 ? ProgressBar() : nil
        let result: DACBatchResult
        do { result = try authority.issueBatch(request) { done, total in bar?.show(done, total) } } catch {
            bar?.finish()
            throw CLIExit.refused(oneLine(error))
        }
        bar?.finish()
        struct Report: Encodable { let batch, idempotencyKey, output: String; let count, newlyIssued: Int; let reused: Bool }
        let report = Report(batch: result.batch.id, idempotencyKey: result.batch.idempotencyKey, output: out, count: result.items.count,
                            newlyIssued: result.newlyIssued, reused: result.reused)
        if json { writeStdout(jsonString(report)) } else {
            writeStdout("batch \(report.batch) (idempotency key \(report.idempotencyKey)): \(report.count) DACs in \(out)" +
                        (report.reused ? " (already issued; returned from the ledger)\n" : ", \(report.newlyIssued) issued now\n"))
        }
        if let left = result.stagingLeft { throw CLIExit.refused("batch complete, but \(left)") }
    }

    func readCSRDirectory(_ dir: String) throws -> [(name: String, der: [UInt8])] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { throw CLIExit.unreadable("--csr-dir \(dir): cannot read") }
        let files = names.filter { [".csr", ".pem", ".der"].contains(where: $0.hasSuffix) }.sorted()
        guard !files.isEmpty else { throw CLIExit.unreadable("--csr-dir \(dir) holds no .csr, .pem or .der file") }
        return try files.map { name in
            let path = (dir as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIExit.unreadable("\(path): cannot read") }
            let der = (try? CertificateFile.derBytes(Array(data), name: path, label: "CERTIFICATE REQUEST")) ?? Array(data)
            return (name, der)
        }
    }

    func readCSRFile(_ path: String) throws -> [(name: String, der: [UInt8])] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIExit.unreadable("--csr-file \(path): cannot read") }
        guard let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") else { return [((path as NSString).lastPathComponent, Array(data))] }
        var out: [(String, [UInt8])] = []
        var rest = Substring(text)
        while let b = rest.range(of: "-----BEGIN CERTIFICATE REQUEST-----") {
            guard let e = rest.range(of: "-----END CERTIFICATE REQUEST-----", range: b.upperBound..<rest.endIndex) else {
                throw CLIExit.unreadable("\(path): CSR \(out.count + 1) is truncated")
            }
            let body = rest[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
            out.append(("\((path as NSString).lastPathComponent)#\(out.count + 1)", Data(base64Encoded: String(body)).map(Array.init) ?? []))
            rest = rest[e.upperBound...]
        }
        guard !out.isEmpty else { throw CLIExit.unreadable("\(path) holds no CERTIFICATE REQUEST") }
        return out
    }
}

final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    func show(_ done: Int, _ total: Int) {
        lock.withLock {
            let width = 40, filled = total == 0 ? width : done * width / total
            FileHandle.standardError.write(Data("\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total)".utf8))
        }
    }
    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}

struct DACShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a DAC from the ledger by serial (no PIN needed).")
    @OptionGroup var options: HomeOptions
    @Argument(help: "Serial (hex).") var serial: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard let r = try options.ledger().certificates(matching: serial).first(where: { $0.type == "dac" }) else {
            throw CLIExit.refused("no DAC with serial \(serial) in the ledger")
        }
        try show(r, json: json)
    }
}

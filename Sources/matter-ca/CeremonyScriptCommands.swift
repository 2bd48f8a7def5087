import ArgumentParser
import Authority
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct CeremonyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ceremony", abstract: "Scripted key ceremonies and their signed transcripts.",
                                                    subcommands: [CeremonyRun.self, CeremonyVerify.self])
}

struct CeremonyRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a ceremony script: roles present, then each step confirmed; all committed at the end or nothing made.",
        discussion: "Confirmations are typed at the terminal (\"yes\"); --yes answers them for a scripted run. A home with custodians asks for the root token's shares (--share FILE, or typed). The transcript is signed by the ceremony's PAA keys (and --admin-key) and anchored in the audit chain.")
    @OptionGroup var options: HomeOptions
    @OptionGroup var custody: CustodyOptions
    @Argument(help: "The ceremony script (YAML).") var script: String
    @Flag(help: "Answer every confirmation with yes (a scripted run; the transcript says so).") var yes = false
    @Option(help: ArgumentHelp("The administrator's own P-256 private key (PEM) to co-sign the transcript.", valueName: "file")) var adminKey: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: script) else { throw CLIExit.unreadable("\(script): cannot read") }
        let parsed: CeremonyScript
        do { parsed = try CeremonyScript.parse(String(decoding: data, as: UTF8.self)) } catch { throw CLIExit.unreadable("\(script): \(error)") }
        let key: P256.Signing.PrivateKey? = try adminKey.map { path in
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIExit.unreadable("--admin-key \(path): cannot read") }
            guard let k = try? P256.Signing.PrivateKey(pemRepresentation: pem) else { throw CLIExit.unreadable("--admin-key \(path): not a P-256 private key in PEM") }
            return k
        }
        guard yes || isatty(STDIN_FILENO) == 1 else { throw CLIExit.unreadable("the confirmations need a terminal; --yes answers them for a scripted run") }
        let authority = try options.open(custody: custody)
        let console = yes ? CeremonyConsole(confirmedBy: "\(parsed.administrator) (--yes)", confirm: { q in
            FileHandle.standardError.write(Data("\(q) yes (--yes)\n".utf8)); return true
        }, say: { FileHandle.standardError.write(Data("\($0)\n".utf8)) }) : CeremonyConsole(confirmedBy: parsed.administrator, confirm: Self.ask, say: {
            FileHandle.standardError.write(Data("\($0)\n".utf8))
        })
        let r: CeremonyRunResult
        do { r = try authority.runCeremony(parsed, console: console, administratorKey: key) } catch let e as CLIExit { throw e } catch {
            throw CLIExit.refused(oneLine(error))
        }
        struct Made: Encodable { let type, name, skid: String }
        struct Out: Encodable { let ceremony, transcript, transcriptSHA256: String; let made: [Made]; let files: [String] }
        let out = Out(ceremony: r.ceremony, transcript: r.transcript.path, transcriptSHA256: r.transcriptSHA256,
                      made: r.authorities.map { Made(type: $0.type, name: $0.name, skid: $0.skid) }, files: r.files.map(\.path))
        if json { writeStdout(jsonString(out)) } else {
            writeStdout("ceremony \(r.ceremony) committed\n" + out.made.map { "  \($0.type.uppercased()) \"\($0.name)\" SKID \($0.skid)\n" }.joined()
                        + "  transcript \(out.transcript) (SHA-256 \(out.transcriptSHA256), anchored in the audit chain)\n")
        }
        if let problem = r.filesNotWritten { throw CLIExit.refused("ceremony committed; files not written (\(problem)); `matter-ca export SKID` writes the certificates") }
    }

    /// A confirmation typed at the terminal: "yes" proceeds, anything else refuses.
    @Sendable static func ask(_ question: String) throws -> Bool {
        FileHandle.standardError.write(Data("\(question) [yes/no] ".utf8))
        guard let line = readLine() else { throw CLIExit.refused("the terminal closed before the confirmation; nothing was made") }
        return line.trimmingCharacters(in: .whitespaces).lowercased() == "yes"
    }
}

struct CeremonyVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a ceremony transcript: its signatures, its certificates, and its anchor in this authority's audit chain.",
        discussion: "Exit 0 when everything holds, 1 with each mismatch named otherwise. Reads the ledger only (no PIN).")
    @OptionGroup var options: HomeOptions
    @Argument(help: "The transcript (JSON).") var transcript: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: transcript) else { throw CLIExit.unreadable("\(transcript): cannot read") }
        let v: TranscriptVerification
        do { v = try TranscriptVerification.verify(data, ledger: try options.ledger()) } catch let e as CLIExit { throw e } catch {
            throw CLIExit.refused(oneLine(error))
        }
        if json { writeStdout(jsonString(v)) } else {
            for line in v.checked { writeStdout("ok       \(line)\n") }
            for line in v.problems { writeStdout("MISMATCH \(line)\n") }
            writeStdout(v.holds ? "transcript \(transcript) holds\n" : "transcript \(transcript) does NOT hold: \(v.problems.count) mismatch(es)\n")
        }
        if !v.holds { throw CLIExit.failedCheck }
    }
}

import ArgumentParser
import Authority
import Foundation
import Ledger
import MatterPKI

/// Opens the token only to sign the audit checkpoint after a ledger write, when a PIN is at hand.
func checkpointIfPossible(_ options: HomeOptions) throws {
    guard let pin = try Secrets.optionalPIN("MATTER_CA_PIN") else { return }
    do { try Authority(home: options.authorityHome, pin: pin, moduleOverride: options.pkcs11Module, sessions: 1).checkpoint() } catch {
        throw CLIExit.refused("recorded; the audit checkpoint was not signed: \(oneLine(error))")
    }
}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "API tokens for the network front ends (only a hash is stored).",
                                                    subcommands: [TokenCreate.self, TokenList.self, TokenRevoke.self])
}

struct TokenCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "A new token for a vendor (or --admin); printed once.")
    @OptionGroup var options: HomeOptions
    @Option(help: "The vendor's VID (hex).") var vendor: String?
    @Flag(help: "An administrator token instead.") var admin = false
    @Option(help: "What it is for (a factory line, a bridge).") var label = "api"
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard admin != (vendor != nil) else { throw CLIExit.unreadable("give --vendor VID or --admin") }
        let vid: VendorID? = try vendor.map { try InputFiles.matterID($0, "--vendor") }
        let ledger = try options.ledger()
        let made: (CredentialRecord, String)
        do { made = try Credentials.createToken(ledger: ledger, vid: vid, label: label, actor: Authority.currentActor(), now: Date()) } catch {
            throw CLIExit.refused(oneLine(error))
        }
        try checkpointIfPossible(options)
        struct Out: Encodable { let id, role, label, token: String; let vid: String? }
        let out = Out(id: made.0.id, role: made.0.role.rawValue, label: made.0.label, token: made.1, vid: vid?.hex)
        if json { writeStdout(jsonString(out)) } else {
            writeStdout("\(out.id) (\(out.role)\(vid.map { " \($0.hex)" } ?? ""), \(label)): \(out.token)\nshown once; only its hash is stored\n")
        }
    }
}

struct TokenList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Tokens and station certificates (never their secrets).")
    @OptionGroup var options: HomeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        struct Item: Encodable { let id, kind, role, label, createdAt: String; let vid, revokedAt: String? }
        let items = try options.ledger().credentials().map {
            Item(id: $0.id, kind: $0.kind.rawValue, role: $0.role.rawValue, label: $0.label, createdAt: LedgerTime.iso8601($0.createdAt),
                 vid: $0.vid.map { String(format: "%04X", $0) }, revokedAt: $0.revokedAt.map(LedgerTime.iso8601))
        }
        if json { writeStdout(jsonString(items)); return }
        for i in items { writeStdout("\(i.id)  \(i.kind) \(i.role) \(i.vid ?? "-")  \(i.label)  \(i.revokedAt.map { "revoked \($0)" } ?? "active")\n") }
        if items.isEmpty { writeStdout("(none)\n") }
    }
}

struct TokenRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token or station certificate by id.")
    @OptionGroup var options: HomeOptions
    @Argument(help: "The id (tok_… or stn_…).") var id: String

    func run() throws {
        let revoked: Bool
        do { revoked = try options.ledger().revokeCredential(id: id, actor: Authority.currentActor()) } catch { throw CLIExit.refused(oneLine(error)) }
        if revoked { try checkpointIfPossible(options) }
        writeStdout(revoked ? "\(id) revoked\n" : "\(id) was revoked already; nothing changed\n")
    }
}

struct StationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "station", abstract: "Factory station TLS client certificates.", subcommands: [StationAdd.self])
}

struct StationAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Map a station's TLS client certificate to a vendor.")
    @OptionGroup var options: HomeOptions
    @Option(help: "The vendor's VID (hex).") var vendor: String
    @Argument(help: "The station certificate (PEM or DER).") var certificate: String
    @Option(help: "Which station.") var label = "station"

    func run() throws {
        let vid: VendorID = try InputFiles.matterID(vendor, "--vendor")
        let der = try InputFiles.certificateDER(certificate)
        let record: CredentialRecord
        do { record = try Credentials.registerStation(ledger: options.ledger(), vid: vid, certificateDER: der, label: label, actor: Authority.currentActor(), now: Date()) } catch {
            throw CLIExit.refused(oneLine(error))
        }
        try checkpointIfPossible(options)
        writeStdout("\(record.id): station \"\(label)\" acts for vendor \(vid.hex)\n")
    }
}

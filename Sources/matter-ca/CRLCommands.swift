import ArgumentParser
import Authority
import CertificateTemplates
import Foundation
import Ledger
import MatterPKI

struct CRLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crl", abstract: "Publish revocation: Matter CRLs, DCL revocation points, revocation sets.",
        subcommands: [CRLPublish.self, CRLRevocationSet.self, CRLDCLMetadata.self, CRLSignerCommand.self])
}

/// `--templates`, shared by the commands that read Templates/crl.yaml.
struct CRLTemplateOption: ParsableArguments {
    @Option(help: "Directory with crl.yaml (default: the built-in Templates/crl.yaml).") var templates: String?
    func load() throws -> CRLTemplate {
        do { return try CRLTemplateLoader.loadOrDefault(directory: templates.map { URL(fileURLWithPath: $0) }) } catch {
            throw CLIExit.unreadable("\(error)")
        }
    }
}

struct CRLPublish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Sign a CRL for every PAA (its revoked PAIs) and PAI (its revoked DACs) and write them to <home>/crl/.",
        discussion: "Each CRL is linted against the Matter CRL profile on its exact bytes, signed by the CA's token key (or its delegated CRL signer), recorded in the ledger with its cRLNumber and digest, then written. The server serves them at /crl/<issuer SKID>.crl.")
    @OptionGroup var options: HomeOptions
    @OptionGroup var custody: CustodyOptions
    @OptionGroup var template: CRLTemplateOption
    @Option(help: "Only this PAA or PAI (SKID or name).") var ca: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let t = try template.load()
        let authority = try options.open(custody: custody)
        let published: [PublishedCRL]
        do { published = try authority.publishCRLs(template: t, only: ca) } catch { throw CLIExit.refused(oneLine(error)) }
        try? authority.checkpoint()
        for w in published.flatMap(\.warnings) { FileHandle.standardError.write(Data("matter-ca: warning: \(w)\n".utf8)) }
        if json {
            struct Out: Encodable { let ca, signer, file, url, sha256, thisUpdate, nextUpdate: String; let partition: Int?; let number: Int64; let entries, size: Int }
            writeStdout(jsonString(published.map { p in
                Out(ca: p.record.caSKID, signer: p.record.signerSKID, file: p.path.path, url: p.record.url, sha256: p.record.sha256,
                    thisUpdate: LedgerTime.iso8601(p.record.thisUpdate), nextUpdate: LedgerTime.iso8601(p.record.nextUpdate),
                    partition: p.record.partition, number: p.record.number, entries: p.record.entries, size: p.record.size)
            }))
            return
        }
        for p in published {
            writeStdout("CRL #\(p.record.number) of \(p.record.caSKID)\(p.record.partition.map { " partition \($0)" } ?? ""): \(p.record.entries) revoked, \(p.record.size) bytes, next update \(LedgerTime.iso8601(p.record.nextUpdate))\n  \(p.path.path)\n  \(p.record.url)\n")
        }
    }
}

/// What the published CRLs say, read with the ledger alone (no PIN); a refusal is one line, exit 1.
func readPublished<T>(_ options: HomeOptions, _ body: (Inventory, AuthorityHome) throws -> T) throws -> T {
    let ledger = try options.ledger()
    do { return try body(Inventory(ledger: ledger), options.authorityHome) } catch { throw CLIExit.refused(oneLine(error)) }
}

struct CRLRevocationSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revocation-set",
        abstract: "Write the Matter revocation set (the JSON the SDK's verifier reads) built from the published CRLs.",
        discussion: "No PIN needed. `matter-ca verify --revocation-set` and `serve --revocation-set` read it.")
    @OptionGroup var options: HomeOptions
    @Option(help: "Write to this file (default: stdout).") var out: String?

    func run() throws {
        let entries = try readPublished(options) { inventory, home in try inventory.revocationSet(home: home) }
        let text = jsonString(entries)
        if let out {
            do { try FileOutput.write(Data(text.utf8), to: URL(fileURLWithPath: out), mode: 0o644) } catch { throw CLIExit.refused(oneLine(error)) }
        } else { writeStdout(text) }
    }
}

struct CRLSignerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "signer", abstract: "Delegated CRL signers.", subcommands: [CRLSignerCreate.self])
}

struct CRLSignerCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Generate a CRL-signer key in the token and certify it with a PAA's or PAI's token key (cA FALSE, keyUsage cRLSign).",
        discussion: "Later `crl publish` runs sign that CA's CRL with the delegate: an indirect CRL with certificateIssuer on every entry.")
    @OptionGroup var options: HomeOptions
    @OptionGroup var custody: CustodyOptions
    @Option(help: "The PAA or PAI the signer signs CRLs for (SKID or name).") var ca: String
    @Option(help: "Common name of the signer's certificate.") var cn: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let authority = try options.open(custody: custody)
        let result: CeremonyResult
        do { result = try authority.createCRLSigner(ca: ca, name: cn) } catch { throw CLIExit.refused(oneLine(error)) }
        try report(result, json: json)
    }
}

struct CRLDCLMetadata: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcl-metadata",
        abstract: "Print, per published CRL, the DCL revocation point (MsgAddPkiRevocationDistributionPoint) to submit.",
        discussion: "Every point is checked against the DCL's static and dynamic rules first; one the DCL would refuse is an error, naming the rule. No PIN needed.")
    @OptionGroup var options: HomeOptions
    @Option(help: "VID (hex) the DCL recorded for a PAA that carries none.") var paaVid: String?
    @Flag(help: "Print the points as JSON (the DCL's field names).") var json = false

    func run() throws {
        let vid: VendorID? = try paaVid.map { try InputFiles.matterID($0, "--paa-vid") }
        let points = try readPublished(options) { inventory, home in try inventory.dclRevocationPoints(home: home, paaVID: vid) }
        if json { writeStdout(jsonString(points)); return }
        for p in points {
            writeStdout("\(p.label): vid \(String(format: "%04X", p.vid)) pid \(p.pid) isPAA \(p.isPAA) issuerSubjectKeyID \(p.issuerSubjectKeyID)\n  dataURL \(p.dataURL)\(p.crlSignerDelegator == nil ? "" : "\n  delegated signer (crlSignerDelegator set)")\n")
        }
    }
}

import ArgumentParser
import CertificateTemplates
import Crypto
import Foundation
import MatterPKI
import Signing
import X509Builder

struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Development helpers with software keys. DEVELOPMENT ONLY: never for production devices.",
        subcommands: [DevChainCommand.self, DevCDCommand.self, DevAttestCommand.self])
}

struct DevChainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Issue a software-key PAA → PAI → DAC chain (DEVELOPMENT ONLY).",
        discussion: """
            Writes paa/pai/dac certificates (.pem, .der) and their keys as *-key-DEVELOPMENT-ONLY.{pem,der} \
            (PKCS#8, mode 0600). Every certificate goes through the templates and the Matter lint. Existing files \
            are never overwritten.
            """)

    @Option(help: "Vendor ID (hex), carried by the PAI and the DAC.") var vid: String
    @Option(help: "Product ID (hex), carried by the DAC.") var pid: String
    @Option(help: "Output directory (created if missing).") var out: String
    @Flag(help: "Put the PID in the PAI as well.") var paiPid = false
    @Flag(help: "Give the PAA the VID (a VID-scoped PAA); by default the PAA has no VID.") var paaVid = false
    @Flag(help: "Encode VID/PID as Mvid:/Mpid: in the CN instead of Matter DN attributes.") var vidPidAsCn = false
    @Option(help: "Directory with paa.yaml, pai.yaml, dac.yaml (default: the built-in Templates/).") var templates: String?

    func run() throws {
        let vendor: VendorID = try InputFiles.matterID(vid, "--vid")
        let product: ProductID = try InputFiles.matterID(pid, "--pid")
        var set: [CertificateType: Template]
        do { set = try TemplateLoader.loadOrDefault(directory: templates.map { URL(fileURLWithPath: $0) }) } catch {
            throw CLIExit.unreadable("\(error)")
        }
        if vidPidAsCn { for t in CertificateType.allCases { set[t]?.vidPidEncoding = .commonNameFallback } }

        let dir = URL(fileURLWithPath: out)
        let names = ["paa", "pai", "dac"].flatMap { ["\($0).pem", "\($0).der", "\($0)-key-DEVELOPMENT-ONLY.pem", "\($0)-key-DEVELOPMENT-ONLY.der"] }
        for n in names where FileManager.default.fileExists(atPath: dir.appendingPathComponent(n).path) {
            throw CLIExit.refused("\(dir.appendingPathComponent(n).path) exists; refusing to overwrite")
        }

        let keys = (paa: SoftwareSigner(), pai: SoftwareSigner(), dac: SoftwareSigner())
        let now = Date()
        do {
            let paaSpec = try TemplateEngine.prepare(set[.paa]!, CertificateRequest(
                type: .paa, name: "Matter Dev PAA", vid: paaVid ? vendor : nil, publicKey: keys.paa.publicKey), now: now)
            let paa = try CertificateBuilder.selfSigned(paaSpec, signer: keys.paa)
            let paiSpec = try TemplateEngine.prepare(set[.pai]!, CertificateRequest(
                type: .pai, name: "Matter Dev PAI", vid: vendor, pid: paiPid ? product : nil, publicKey: keys.pai.publicKey), now: now)
            let pai = try CertificateBuilder.issue(paiSpec, by: IssuerContext(certificate: paa.certificate, type: .paa, signer: keys.paa))
            let dacSpec = try TemplateEngine.prepare(set[.dac]!, CertificateRequest(
                type: .dac, name: "Matter Dev DAC", vid: vendor, pid: product, publicKey: keys.dac.publicKey), now: now)
            let dac = try CertificateBuilder.issue(dacSpec, by: IssuerContext(certificate: pai.certificate, type: .pai, signer: keys.pai))

            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (name, cert, key) in [("paa", paa, keys.paa), ("pai", pai, keys.pai), ("dac", dac, keys.dac)] {
                try write(Data(cert.pem.utf8), dir.appendingPathComponent("\(name).pem"), mode: 0o644)
                try write(Data(cert.der), dir.appendingPathComponent("\(name).der"), mode: 0o644)
                try write(Data(key.privateKey.pemRepresentation.utf8), dir.appendingPathComponent("\(name)-key-DEVELOPMENT-ONLY.pem"), mode: 0o600)
                try write(key.privateKey.derRepresentation, dir.appendingPathComponent("\(name)-key-DEVELOPMENT-ONLY.der"), mode: 0o600)
            }
            writeStdout("""
                DEVELOPMENT ONLY: software keys, not for production devices.
                PAA \(paa.certificate.subject)  serial \(paa.certificate.serialHex)
                PAI \(pai.certificate.subject)  serial \(pai.certificate.serialHex)
                DAC \(dac.certificate.subject)  serial \(dac.certificate.serialHex)
                written to \(dir.path)

                """)
        } catch let e as TemplateViolation {
            throw CLIExit.refused("template refused the request: \(e)")
        } catch let e as BuilderError {
            throw CLIExit.refused(e.description)
        }
    }

    func write(_ data: Data, _ url: URL, mode: Int) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: mode]) else {
            throw CLIExit.refused("cannot write \(url.path)")
        }
    }
}

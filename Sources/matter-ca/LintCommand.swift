import ArgumentParser
import Foundation
import MatterPKI

extension CertificateType: ExpressibleByArgument {}

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check a certificate (PEM or DER) against the Matter profile.",
        discussion: """
            With --issuer the rules between the certificate and its issuer apply too; with --as dac --issuer PAI \
            --root PAA the whole chain is checked as the Matter SDK checks it (validity at the DAC's notBefore, \
            the DAC now, VID/PID consistency). Exit 0 when compliant, 1 with one line per violation, 2 on \
            unreadable input.
            """)

    @Argument(help: "Certificate file, PEM or DER.") var file: String
    @Option(name: .customLong("as"), help: "paa, pai, dac or crl-signer.") var type: CertificateType
    @Option(help: "The issuing certificate (the PAI of a DAC, the PAA of a PAI).") var issuer: String?
    @Option(help: "The PAA, for a full chain check of a DAC.") var root: String?
    @Flag(help: "Also apply matter-ca's issuance rules (serial number form, CDP shape).") var strict = false
    @Flag(help: "Print JSON.") var json = false

    struct Report: Encodable {
        struct Item: Encodable { let rule, certificate, detail, requirement, source: String }
        let file: String
        let type: String
        let compliant: Bool
        let violations: [Item]
    }

    func run() throws {
        let cert = try read(file)
        let policy: MatterProfile.Policy = strict ? .issuance : .verifier
        var violations: [ProfileViolation]
        switch (type, issuer, root) {
        case (.dac, let i?, let r?):
            violations = MatterProfile.lintChain(paa: try read(r), pai: try read(i), dac: cert, policy: policy)
        case (.paa, _, _) where issuer != nil || root != nil:
            throw CLIExit.unreadable("a PAA is self-signed: --issuer and --root do not apply")
        case (_, let i, let r):
            guard !(i != nil && r != nil) else { throw CLIExit.unreadable("--root applies to --as dac only") }
            let facts = CertificateFacts(cert, as: type)
            violations = MatterProfile.lint(facts, policy: policy)
            if let issuerPath = i ?? r {
                let issuerType: CertificateType = type == .dac ? .pai : .paa
                let issuerFacts = CertificateFacts(try read(issuerPath), as: issuerType)
                violations += MatterProfile.lintIssuer(child: facts, issuer: issuerFacts)
            }
        }
        if json {
            let items = violations.map { v -> Report.Item in
                let e = MatterProfile.explain(v.rule)
                return .init(rule: v.rule.rawValue, certificate: v.certificate.rawValue, detail: v.detail,
                             requirement: e.requirement, source: e.source)
            }
            writeStdout(jsonString(Report(file: file, type: type.rawValue, compliant: violations.isEmpty, violations: items)))
        } else if violations.isEmpty {
            writeStdout("\(file): compliant \(type) (\(cert.subject))\n")
        } else {
            for v in violations { writeStdout("\(file): \(v)\n") }
        }
        if !violations.isEmpty { throw CLIExit.failedCheck }
    }

    func read(_ path: String) throws -> ParsedCertificate {
        do { return try CertificateFile.read(path: path) } catch { throw CLIExit.unreadable(error.description) }
    }
}

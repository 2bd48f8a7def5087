import ArgumentParser
import AttestationVerifier
import Foundation
import MatterPKI

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a device attestation with the Matter SDK's procedure and result codes.",
        discussion: """
            Either the pieces a commissioner holds (--dac --pai --elements --signature --nonce --challenge --vid --pid) \
            or --vector FILE.json (the SDK's test_case_vector.json, verified as the SDK's harness does: fresh nonce, \
            VID 0xFFF1, basic_info_pid). Files are binary or hex text; certificates PEM or DER. Exit 0 on success, \
            1 with the result code and reason otherwise, 2 on unreadable input.
            """)

    @Option(help: "DAC certificate.") var dac: String?
    @Option(help: "PAI certificate.") var pai: String?
    @Option(help: "Certification Declaration (CMS); must equal the one in --elements.") var cd: String?
    @Option(help: "Attestation nonce sent to the device (hex).") var nonce: String?
    @Option(help: "Attestation challenge of the session (hex).") var challenge: String?
    @Option(help: "AttestationElements TLV returned by the device.") var elements: String?
    @Option(help: "Attestation signature returned by the device (raw r‖s).") var signature: String?
    @Option(help: "Basic Information VendorID (hex).") var vid: String?
    @Option(help: "Basic Information ProductID (hex).") var pid: String?
    @Option(help: "SDK test_case_vector.json to verify.") var vector: String?
    @Option(help: "Directory of trusted PAA certificates (DER or PEM).") var paaStore: String
    @Option(help: "Directory of trusted CD signing certificates.") var cdKeys: String?
    @Option(help: "Matter revocation-set JSON.") var revocationSet: String?
    @Flag(help: "Refuse CDs signed by the SDK's test CD key (accepted by default, as in the SDK).") var noTestCdKey = false
    @Option(help: "Policy (off by default): the device_type_id the DCL gives for this product (hex).") var expectDeviceType: String?
    @Option(help: "Policy (off by default): the certificate_id the DCL gives.") var expectCertificateId: String?
    @Option(help: "Policy (off by default): the CD version_number the DCL gives (hex).") var expectVersionNumber: String?
    @Option(help: "Policy (off by default): the security_level the DCL gives.") var expectSecurityLevel: UInt8?
    @Option(help: "Policy (off by default): the security_information the DCL gives.") var expectSecurityInfo: UInt16?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let verifier = try makeVerifier()
        let input: AttestationInput
        if let vector {
            do { input = try SDKTestVector(path: vector).attestationInput() } catch { throw CLIExit.unreadable("\(error)") }
        } else {
            input = try pieces()
        }
        let verdict = verifier.verify(input)
        if json { writeStdout(jsonString(verdict)) } else { writeStdout("\(verdict)\n") }
        if !verdict.isSuccess { throw CLIExit.failedCheck }
    }

    func makeVerifier() throws -> AttestationVerifier {
        var config = VerifierConfiguration(paaStore: URL(fileURLWithPath: paaStore), cdKeys: cdKeys.map { URL(fileURLWithPath: $0) },
                                           revocationSet: revocationSet.map { URL(fileURLWithPath: $0) })
        config.allowTestCDKey = !noTestCdKey
        if expectDeviceType != nil || expectCertificateId != nil || expectVersionNumber != nil || expectSecurityLevel != nil || expectSecurityInfo != nil {
            var e = CDExpectations()
            if let s = expectDeviceType { e.deviceTypeID = try InputFiles.hex32(s, "--expect-device-type") }
            if let s = expectVersionNumber { e.versionNumber = try InputFiles.hex16(s, "--expect-version-number") }
            e.certificateID = expectCertificateId
            e.securityLevel = expectSecurityLevel
            e.securityInformation = expectSecurityInfo
            config.expectations = e
        }
        do {
            let (verifier, skipped) = try config.make()
            for line in skipped { FileHandle.standardError.write(Data("matter-ca: \(line)\n".utf8)) }
            return verifier
        } catch { throw CLIExit.unreadable("\(error)") }
    }

    func pieces() throws -> AttestationInput {
        func need(_ v: String?, _ flag: String) throws -> String {
            guard let v else { throw CLIExit.unreadable("\(flag) is required (or give --vector)") }
            return v
        }
        let elementsBytes = try InputFiles.bytes(try need(elements, "--elements"), what: "--elements")
        if let cd {
            let cdBytes = try InputFiles.bytes(cd, what: "--cd")
            if let inElements = try? AttestationElements(deconstructing: elementsBytes), inElements.certificationDeclaration != cdBytes {
                throw CLIExit.unreadable("--cd \(cd) is not the Certification Declaration inside --elements")
            }
        }
        let v: VendorID = try InputFiles.matterID(try need(vid, "--vid"), "--vid")
        let p: ProductID = try InputFiles.matterID(try need(pid, "--pid"), "--pid")
        return AttestationInput(
            attestationElements: elementsBytes,
            attestationChallenge: try InputFiles.hex(try need(challenge, "--challenge"), what: "--challenge"),
            attestationSignature: try InputFiles.bytes(try need(signature, "--signature"), what: "--signature"),
            pai: try InputFiles.certificateDER(try need(pai, "--pai")),
            dac: try InputFiles.certificateDER(try need(dac, "--dac")),
            attestationNonce: try InputFiles.hex(try need(nonce, "--nonce"), what: "--nonce"),
            vendorID: v.rawValue, productID: p.rawValue)
    }
}

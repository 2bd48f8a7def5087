import ArgumentParser
import Crypto
import Foundation
import MatterPKI

struct DevCDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cd",
        abstract: "Build and sign a Certification Declaration with a software key (DEVELOPMENT ONLY).",
        discussion: "Real CDs are signed by the CSA; this is for test labs. The CMS sid is the signing certificate's SKID (--signing-cert), --key-id, or SHA-1 of the key.")

    @Option(help: "vendor_id (hex).") var vid: String
    @Option(help: "product_id_array entry (hex); repeat for more (1…100).") var pid: [String]
    @Option(help: "device_type_id (hex).") var deviceType: String = "16"
    @Option(help: "certificate_id, 19 characters.") var certificateId: String = "ZIG20142ZB330003-24"
    @Option(help: "security_level.") var securityLevel: UInt8 = 0
    @Option(help: "security_information.") var securityInfo: UInt16 = 0
    @Option(help: "version_number (hex).") var versionNumber: String = "1"
    @Option(help: "certification_type: 0 development, 1 provisional, 2 official.") var certificationType: UInt8 = 0
    @Option(help: "dac_origin_vendor_id (hex); needs --dac-origin-pid.") var dacOriginVid: String?
    @Option(help: "dac_origin_product_id (hex); needs --dac-origin-vid.") var dacOriginPid: String?
    @Option(help: "A PAA certificate whose SKID goes into authorized_paa_list; repeat for more (≤ 10).") var authorizedPaa: [String] = []
    @Option(help: "Signing key (PEM or DER).") var signingKey: String
    @Option(help: "Signing certificate: its SKID is the CMS key id.") var signingCert: String?
    @Option(help: "CMS key id (hex) when there is no signing certificate.") var keyId: String?
    @Option(help: "Output file (DER CMS).") var out: String

    func run() throws {
        let hex16 = InputFiles.hex16
        var cd = CertificationElements(vendorID: try hex16(vid, "--vid"), productIDs: try pid.map { try hex16($0, "--pid") },
                                       deviceTypeID: try InputFiles.hex32(deviceType, "--device-type"),
                                       certificateID: certificateId, versionNumber: try hex16(versionNumber, "--version-number"),
                                       certificationType: certificationType)
        cd.securityLevel = securityLevel
        cd.securityInformation = securityInfo
        if let v = dacOriginVid { cd.dacOriginVendorID = try hex16(v, "--dac-origin-vid") }
        if let p = dacOriginPid { cd.dacOriginProductID = try hex16(p, "--dac-origin-pid") }
        if !authorizedPaa.isEmpty {
            cd.authorizedPAAList = try authorizedPaa.map { path in
                guard let skid = try CertificateFile.parse(InputFiles.certificateDER(path), name: path).subjectKeyIdentifier else {
                    throw CLIExit.unreadable("\(path): no subjectKeyIdentifier")
                }
                return skid
            }
        }
        let content: [UInt8]
        do { content = try cd.encode() } catch { throw CLIExit.refused("CD refused: \(error)") }
        let key = try InputFiles.privateKey(signingKey)
        var kid = Array(Insecure.SHA1.hash(data: key.publicKey.x963Representation))
        if let signingCert {
            let cert = try CertificateFile.parse(InputFiles.certificateDER(signingCert), name: signingCert)
            guard cert.publicKey.p256?.x963Representation == key.publicKey.x963Representation else {
                throw CLIExit.refused("--signing-cert \(signingCert) is not the certificate of --signing-key")
            }
            kid = cert.subjectKeyIdentifier ?? kid
        } else if let keyId {
            kid = try InputFiles.hex(keyId, what: "--key-id")
        }
        let cms = try CMSEnvelope.sign(content: content, keyID: kid) { Array(try key.signature(for: $0).derRepresentation) }
        guard FileManager.default.createFile(atPath: out, contents: Data(cms)) else { throw CLIExit.refused("cannot write \(out)") }
        writeStdout("DEVELOPMENT ONLY: CD for VID \(vid) signed by a software key, key id \(kid.hexString), written to \(out)\n")
    }
}

struct DevAttestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Answer an attestation request as a device would: elements and their signature (DEVELOPMENT ONLY).")

    @Option(help: "DAC private key (PEM, DER or raw scalar).") var dacKey: String
    @Option(help: "Certification Declaration (DER CMS).") var cd: String
    @Option(help: "Attestation nonce from the commissioner (hex, 32 bytes).") var nonce: String
    @Option(help: "Attestation challenge of the session (hex).") var challenge: String
    @Option(help: "timestamp element.") var timestamp: UInt32 = 0
    @Option(help: "Directory for elements.tlv and signature.bin (else hex on stdout only).") var out: String?
    @Flag(help: "Print JSON.") var json = false

    struct Output: Encodable { let elements: String; let signature: String }

    func run() throws {
        let key = try InputFiles.privateKey(dacKey)
        let nonceBytes = try InputFiles.hex(nonce, what: "--nonce")
        guard nonceBytes.count == AttestationElements.nonceLength else { throw CLIExit.unreadable("--nonce is \(nonceBytes.count) bytes; an attestation nonce is 32") }
        let elements = AttestationElements(certificationDeclaration: try InputFiles.bytes(cd, what: "--cd"), attestationNonce: nonceBytes,
                                           timestamp: timestamp).encode()
        guard elements.count <= AttestationElements.maxEncodedLength else { throw CLIExit.refused("attestation elements would be \(elements.count) bytes, over 900") }
        let challengeBytes = try InputFiles.hex(challenge, what: "--challenge")
        let signature = Array(try key.signature(for: SHA256.hash(data: elements + challengeBytes)).rawRepresentation)
        if let out {
            let dir = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(elements).write(to: dir.appendingPathComponent("elements.tlv"))
            try Data(signature).write(to: dir.appendingPathComponent("signature.bin"))
        }
        if json { writeStdout(jsonString(Output(elements: elements.hexString, signature: signature.hexString))) }
        else { writeStdout("elements \(elements.hexString)\nsignature \(signature.hexString)\n") }
    }
}

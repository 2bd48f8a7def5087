import CPKCS11
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

/// The files of a committed ceremony: the certificate (PEM, DER) and a plain-text transcript.
enum CeremonyTranscript {
    static func write(home: AuthorityHome, ceremony: CeremonyRecord, issued: IssuedCertificate, authority a: AuthorityRecord,
                      key: PKCS11Signer, pool: SessionPool, completedAt: Date) throws -> CeremonyResult {
        let pem = home.certificates.appendingPathComponent("\(a.type)-\(a.skid).pem")
        let der = home.certificates.appendingPathComponent("\(a.type)-\(a.skid).der")
        try FileOutput.write(Data(issued.pem.utf8), to: pem)
        try FileOutput.write(Data(issued.der), to: der)
        let c = issued.certificate
        let sensitive = (try? key.privateKeyAttribute(MCA_CKA_SENSITIVE)) == [1]
        let extractable = (try? key.privateKeyAttribute(MCA_CKA_EXTRACTABLE)) == [1]
        let transcript = """
            matter-ca key ceremony transcript
            ceremony      \(ceremony.id)
            kind          \(ceremony.kind)
            operator      \(ceremony.actor)
            started       \(LedgerTime.iso8601(ceremony.startedAt))
            completed     \(LedgerTime.iso8601(completedAt))
            token         "\(pool.tokenLabel)" via \(pool.module.path)
            key           "\(a.keyLabel)", EC P-256, CKA_ID = SKID \(a.skid)
            key attributes CKA_SENSITIVE=\(sensitive ? "TRUE" : "FALSE") CKA_EXTRACTABLE=\(extractable ? "TRUE" : "FALSE")
            subject       \(c.subject)
            issuer        \(c.issuer)
            serial        \(c.serialHex)
            validity      \(c.notBefore) … \(c.notAfter)
            SHA-256       \(c.sha256.hexString)
            lint          Matter profile (issuance policy): compliant; signature verified after signing

            \(issued.pem)
            """
        let t = home.transcripts.appendingPathComponent("\(ceremony.id).txt")
        try FileOutput.write(Data(transcript.utf8), to: t)
        return CeremonyResult(authority: a, certificate: issued, transcript: t, files: [pem, der], filesNotWritten: nil)
    }
}

import CPKCS11
import Crypto
import Foundation
import Ledger
import MatterPKI
import Signing
import X509Builder

/// What an auditor keeps of a ceremony: every step with its time, the people present (custodian IDs, never their
/// shares), the tokens (label and serial), each key's SKID and attributes, each certificate's SHA-256, matter-ca's
/// version and the SHA-256 of every template used. The body is signed by the ceremony's PAA keys (or, when it made no
/// PAA, by the audit-checkpoint key) and by the administrator's own key when one is given, and the SHA-256 of the
/// whole file is recorded in the audit chain in the same transaction as the ceremony's certificates.
public struct CeremonyTranscript: Codable, Sendable, Equatable {
    public static let formatName = "matter-ca ceremony transcript v1"
    public var format = formatName
    public var body: Body
    public var signatures: [Signature]

    public struct Body: Codable, Sendable, Equatable {
        public var ceremony: String
        /// "ceremony.run" for a script; "paa.create", "pai.issue", "crl-signer.create" for a single command.
        public var kind: String
        public var name: String
        public var scriptSHA256: String?
        public var matterCAVersion: String
        /// The ledger it belongs to: the hash of its `authority.init` audit entry (kept verbatim by `ledger migrate`).
        public var ledger: String
        public var operatorName: String
        public var roles: Roles
        public var tokens: [PKCS11Module.TokenIdentity]
        public var started: String
        public var completed: String
        public var steps: [Step]
    }

    public struct Roles: Codable, Sendable, Equatable {
        public var administrator: String?
        public var witness: String?
        /// The custodians whose shares opened the root token (IDs only).
        public var custodians: [String]
    }

    public struct Step: Codable, Sendable, Equatable {
        public var number: Int
        public var action: String
        public var at: String
        /// Who confirmed the step (the administrator, or "--yes" in a scripted run).
        public var confirmedBy: String
        public var name: String
        public var template: TemplateUse
        public var key: Key
        public var certificate: Certificate
    }

    public struct TemplateUse: Codable, Sendable, Equatable { public var source: String; public var sha256: String }

    public struct Key: Codable, Sendable, Equatable {
        public var token: String
        public var tokenSerial: String
        public var label: String
        public var skid: String
        public var algorithm: String
        public var attributes: [String: Bool]
    }

    public struct Certificate: Codable, Sendable, Equatable {
        public var sha256: String
        public var serial: String
        public var subject: String
        public var issuerSKID: String
        public var notBefore: String
        public var notAfter: String
        public var pem: String
    }

    public struct Signature: Codable, Sendable, Equatable {
        /// "paa", "checkpoint" or "administrator".
        public var role: String
        /// SKID of the signing CA key, when it is one.
        public var keySKID: String?
        /// The signer's public key, SubjectPublicKeyInfo DER in base64.
        public var publicKey: String
        public var algorithm = "ecdsa-with-SHA256"
        /// DER ECDSA signature over the body's canonical JSON, base64.
        public var value: String
    }

    /// The bytes every signature covers: the body as JSON with sorted keys, no whitespace.
    public static func canonical(_ body: Body) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(body)
    }

    /// The file as written (pretty, sorted): its SHA-256 is the anchor in the audit chain.
    public func fileBytes() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try e.encode(self) + Data("\n".utf8)
    }

    /// The ledger a transcript belongs to: the hash of its `authority.init` audit entry (nil: not an authority's).
    static func identity(of ledger: any Ledger) throws -> String? {
        try ledger.auditEntries(action: "authority.init", limit: 1).first?.hash
    }

    public static func sha256(_ data: Data) -> String { Array(SHA256.hash(data: data)).lowercaseHexString }
}

/// Signs a transcript body: with token keys (the ceremony's PAA keys, the checkpoint key) and an administrator's
/// software key.
enum TranscriptSigning {
    static func signature(role: String, keySKID: String?, signer: any Signer, body: Data) throws -> CeremonyTranscript.Signature {
        let der = try signer.sign(digest: SHA256.hash(data: body))
        return .init(role: role, keySKID: keySKID, publicKey: signer.publicKey.derRepresentation.base64EncodedString(), value: Data(der).base64EncodedString())
    }

    static func administrator(_ key: P256.Signing.PrivateKey, body: Data) throws -> CeremonyTranscript.Signature {
        let sig = try key.signature(for: body)
        return .init(role: "administrator", keySKID: nil, publicKey: key.publicKey.derRepresentation.base64EncodedString(),
                     value: sig.derRepresentation.base64EncodedString())
    }
}

extension Authority {
    /// The ledger identity a transcript names: the hash of the `authority.init` audit entry.
    func ledgerIdentity() throws -> String {
        guard let identity = try CeremonyTranscript.identity(of: ledger) else {
            throw AuthorityError.refused("the ledger has no authority.init entry: it is not an authority's ledger")
        }
        return identity
    }

    /// One transcript step from what a ceremony made.
    func transcriptStep(number: Int, action: String, grant: Grant, key: PKCS11Signer, keyPool: SessionPool, issued: IssuedCertificate,
                        at: Date, confirmedBy: String) -> CeremonyTranscript.Step {
        let c = issued.certificate
        func flag(_ t: UInt) -> Bool? { (try? key.privateKeyAttribute(t)).map { $0 == [1] } }
        var attributes: [String: Bool] = [:]
        for (name, type) in [("CKA_SENSITIVE", MCA_CKA_SENSITIVE), ("CKA_EXTRACTABLE", MCA_CKA_EXTRACTABLE)] { attributes[name] = flag(UInt(type)) }
        let serial = (try? keyPool.module.identity(label: keyPool.tokenLabel).serial) ?? "unknown"
        return .init(number: number, action: action, at: LedgerTime.iso8601(at), confirmedBy: confirmedBy, name: grant.name,
                     template: .init(source: grant.template.source, sha256: grant.template.textSHA256),
                     key: .init(token: keyPool.tokenLabel, tokenSerial: serial, label: key.label, skid: key.keyID.hexString, algorithm: "EC P-256",
                                attributes: attributes),
                     certificate: .init(sha256: c.sha256.hexString, serial: c.serialHex, subject: "\(c.subject)",
                                        issuerSKID: (c.authorityKeyIdentifier ?? c.subjectKeyIdentifier ?? []).hexString,
                                        notBefore: LedgerTime.iso8601(c.notBefore.date), notAfter: LedgerTime.iso8601(c.notAfter.date), pem: issued.pem))
    }

    /// The tokens a ceremony touched, by label.
    func tokenIdentities(_ labels: [String]) -> [PKCS11Module.TokenIdentity] {
        var seen = Set<String>()
        return labels.filter { seen.insert($0).inserted }.compactMap { try? pool.module.identity(label: $0) }
    }

    /// Signs `body` with every PAA key the ceremony made or used (or, if none, the checkpoint key) and the
    /// administrator's key when given.
    func signTranscript(_ body: CeremonyTranscript.Body, paaKeys: [(skid: String, signer: any Signer)],
                        administrator: P256.Signing.PrivateKey?) throws -> CeremonyTranscript {
        let bytes = try CeremonyTranscript.canonical(body)
        var signatures: [CeremonyTranscript.Signature] = []
        for k in paaKeys { signatures.append(try TranscriptSigning.signature(role: "paa", keySKID: k.skid, signer: k.signer, body: bytes)) }
        if paaKeys.isEmpty {
            guard let hex = settings.checkpointKeyID, let id = [UInt8](hex: hex) else { throw AuthorityError.refused("the home has no checkpoint key to sign the transcript") }
            let k = try PKCS11Signer(pool: pool, keyID: id)
            signatures.append(try TranscriptSigning.signature(role: "checkpoint", keySKID: hex, signer: k, body: bytes))
        }
        if let administrator { signatures.append(try TranscriptSigning.administrator(administrator, body: bytes)) }
        return CeremonyTranscript(body: body, signatures: signatures)
    }
}

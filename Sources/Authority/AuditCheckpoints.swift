import Crypto
import Foundation
import Ledger
import MatterPKI
import Signing

/// Signed checkpoints of the audit head, by a token key of their own (non-extractable, sign-only): whoever holds
/// the ledger file can drop its triggers and rewrite it, but cannot sign a new head.
public enum AuditCheckpoints {
    /// Signs the current head unless it is signed already.
    @discardableResult
    static func sign(ledger: any Ledger, pool: SessionPool, keyID: [UInt8], at: Date) throws -> AuditCheckpoint? {
        let head = try ledger.auditHead()
        if let last = try ledger.lastCheckpoint(), last.seq == head.seq, last.hash == head.hash { return nil }
        let signer = try PKCS11Signer(pool: pool, keyID: keyID)
        let time = LedgerTime.iso8601(at)
        let message = AuditCheckpoint.message(seq: head.seq, hash: head.hash, at: time)
        let signature = try signer.signChecked(message) { _ in }
        let c = AuditCheckpoint(seq: head.seq, hash: head.hash, at: time, keyID: keyID.map { String(format: "%02X", $0) }.joined(), signature: Data(signature))
        try ledger.addCheckpoint(c)
        return c
    }

    /// `matter-ca audit verify`: the chain, the certificate rows it binds, and the checkpoints, verified with the
    /// checkpoint key's public half read from the token without a PIN.
    public static func verify(home: AuthorityHome, module: String? = nil) throws -> AuditReport {
        let settings = try home.loadSettings()
        let ledger = try home.openLedger()
        var key: P256.Signing.PublicKey?
        if let hex = settings.checkpointKeyID, let id = [UInt8](hex: hex) {
            // A read-only command: it restores an emptied token state like any other (that keeps the keys reachable),
            // but writes no audit entry; the commands that write record theirs.
            let pool = try Authority.openPool(settings, module: module, pin: nil, sessions: 1).pool
            do { key = try PKCS11Signer.publicKey(pool: pool, keyID: id) } catch {
                throw AuthorityError.refused("the audit checkpoint key \(hex) is not on the token \"\(settings.tokenLabel)\": \(error)")
            }
        }
        return try ledger.verifyAudit(checkpointKey: key)
    }
}

extension Authority {
    /// Signs a checkpoint of the audit head after a command that wrote (a no-op when nothing changed).
    public func checkpoint() throws {
        guard let hex = settings.checkpointKeyID, let id = [UInt8](hex: hex) else { return }
        do { try AuditCheckpoints.sign(ledger: ledger, pool: pool, keyID: id, at: clock()) } catch { throw AuthorityError.from(error) }
    }
}

extension Authority {
    /// The token answers a logged-in session (it finds the checkpoint key): for health checks.
    public func tokenReachable() throws {
        guard let hex = settings.checkpointKeyID, let id = [UInt8](hex: hex) else {
            _ = try pool.withSession { _ in true }
            return
        }
        do { _ = try PKCS11Signer.publicKey(pool: pool, keyID: id) } catch { throw AuthorityError.from(error) }
    }
}

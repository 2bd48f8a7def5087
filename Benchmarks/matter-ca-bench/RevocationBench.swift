import AttestationVerifier
import Authority
import CertificateTemplates
import Crypto
import Foundation
import Ledger
import MatterPKI

/// Issue #11: revocation at 1,000, 100,000 and 1,000,000 revoked entries under one PAI (SoftHSM2 key): the time
/// of one more revocation (must stay flat), `crl publish` time and bytes per entry, and revocation-set lookups per
/// second in the verifier beside the raw P-256 verify rate of the same run.
///
/// The revoked population is seeded as ledger rows (a serial and a placeholder DER per row, recorded through the
/// ledger protocol with their audit entries): issuing a million real DACs first would measure issuance, not
/// revocation. The CRLs are real, signed by the PAI's token key and linted.
enum RevocationBench {
    /// `show SERIAL` at the largest size (the median of 20 lookups) and the DAC rows it was measured among.
    struct Inventory { let showMilliseconds: Double; let rows: Int }

    @discardableResult
    static func run(authority: Authority, pai: AuthorityRecord, dac: ParsedCertificate, otherDAC: ParsedCertificate, dacIssuer: ParsedCertificate,
                    rawVerify: Double) throws -> Inventory? {
        var inventory: Inventory?
        let ledger = authority.ledger
        var revoked = 0
        let template = CRLTemplate()
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        var rows = SeededRows(ledger: ledger, issuer: pai.skid, prefix: "4")
        func serial(_ n: Int) -> String { rows.serial(n) }
        func seed(to total: Int) throws { try rows.seed(to: total) }
        func revoke(to total: Int) throws {
            while revoked < total {
                let n = min(10_000, total - revoked)
                _ = try ledger.revoke((revoked..<revoked + n).map { (pai.skid, serial($0)) }, reason: "keyCompromise", actor: "bench", payload: [:])
                revoked += n
            }
        }
        print("Revocation (issue #11): one PAI, SoftHSM2 key; one more revocation, crl publish, revocation-set lookups")
        print("  revoked    one revocation (median of 50)   crl publish   CRL size   bytes/entry   set lookups/s (hit / miss)   ratio to raw verify")
        for size in [1_000, 100_000, 1_000_000] {
            try seed(to: size + 50)
            try revoke(to: size)
            var singles: [Double] = []
            for k in 0..<50 {
                let start = clock.now
                _ = try authority.revoke(.serial(serial(size + k)), reason: "keyCompromise")
                singles.append(seconds(clock.now - start))
            }
            revoked = size + 50
            singles.sort()
            let start = clock.now
            let published = try authority.publishCRLs(template: template, only: pai.skid)
            let publish = seconds(clock.now - start)
            let crl = published[0].record
            // The set as a bridge loads it, plus one entry that revokes `dac` (a hit); `otherDAC` is a miss.
            var entries = try authority.inventory.revocationSet(home: authority.home)
            let issuer = dac
            entries.append(RevocationSetEntry(issuerSubjectKeyID: issuer.authorityKeyIdentifier!.hexString, issuerName: Data(issuer.issuer.der).base64EncodedString(),
                                              revokedSerialNumbers: [issuer.serialHex], crlSignerCert: Data(dacIssuer.der).base64EncodedString()))
            let set = RevocationSet(entries: entries)
            precondition(set.revocation(of: dac) != nil && set.revocation(of: otherDAC) == nil, "bench revocation set must hit and miss")
            let hit = rate("    lookup hit") { precondition(set.revocation(of: dac) != nil) }
            let miss = rate("    lookup miss") { precondition(set.revocation(of: otherDAC) == nil) }
            print(String(format: "  %9d   %10.0f µs                      %8.2f s   %9d   %7.1f       %9.0f / %9.0f             %.1f / %.1f",
                         set.revokedCount, singles[25] * 1e6, publish, crl.size, Double(crl.size) / Double(max(1, crl.entries)), hit, miss,
                         hit / rawVerify, miss / rawVerify))
            if size == 1_000_000 {
                // The inventory at this size (issue #12): one serial looked up as `show` does, and the whole DAC list streamed.
                var lookups: [Double] = []
                for k in 0..<20 {
                    let t = clock.now
                    let found = try ledger.certificates(matching: serial(k * 49_999))
                    precondition(found.count == 1)
                    lookups.append(seconds(clock.now - t))
                }
                lookups.sort()
                let t = clock.now
                var dacs = 0
                try ledger.forEachCertificate(CertificateFilter(type: "dac"), after: nil, limit: nil) { _, _ in dacs += 1 }
                let streamed = seconds(clock.now - t)
                print(String(format: "  inventory at %d DACs: show SERIAL %.2f ms (median of 20); list streamed %.0f rows/s (%.1f s)",
                             dacs, lookups[10] * 1e3, Double(dacs) / streamed, streamed))
                inventory = Inventory(showMilliseconds: lookups[10] * 1e3, rows: dacs)
            }
        }
        return inventory
    }
}

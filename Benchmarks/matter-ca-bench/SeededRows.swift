import Crypto
import Foundation
import Ledger
import MatterPKI

/// Synthetic DAC rows for the sections that need a large ledger (revocation at 1 M, the ledger at 10 M): a serial
/// and a placeholder DER (the serial's 16 bytes) per row, recorded through the ledger protocol with their audit
/// entries, 10,000 per transaction. Issuing millions of real DACs first would measure issuance, not the ledger.
/// Each user takes its own serial prefix (one hex digit), so rows of two sections under one PAI never collide.
struct SeededRows {
    let ledger: any Ledger
    let issuer: String
    let prefix: Character
    /// Rows this seeder has recorded: serials `serial(0)` to `serial(count - 1)`.
    private(set) var count = 0

    init(ledger: any Ledger, issuer: String, prefix: Character) {
        self.ledger = ledger; self.issuer = issuer; self.prefix = prefix
    }

    func serial(_ n: Int) -> String { String(prefix) + Self.hex(UInt64(n), digits: 15, upper: true) }

    /// Records rows until this seeder has `total`; `progress` is called with the count after each transaction.
    mutating func seed(to total: Int, progress: (Int) -> Void = { _ in }) throws {
        let notAfter = CertificateTime.noWellDefinedExpiration.date
        while count < total {
            let n = min(10_000, total - count)
            let now = Date()
            let rows = (count..<count + n).map { i -> CertificateRecord in
                let s = serial(i)
                let der = Data(s.utf8)
                return CertificateRecord(issuerSKID: issuer, serial: s, type: "dac", subject: "CN=bench \(i)", skid: s, vid: 0xFFF1, pid: 0x8000,
                                         notBefore: now, notAfter: notAfter, der: der, sha256: Self.hex(SHA256.hash(data: der)), status: "issued",
                                         batchID: nil, batchItem: nil, createdAt: now)
            }
            try ledger.recordCertificates([CertificateGroup(certificates: rows, actor: "bench", action: "bench.seed", payload: [:])])
            count += n
            progress(count)
        }
    }

    private static let lower = Array("0123456789abcdef".utf8), upper = Array("0123456789ABCDEF".utf8)

    /// Lower-case hex of a digest (what `String(format: "%02x")` per byte gives, without a format call per byte).
    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes { out.append(lower[Int(b >> 4)]); out.append(lower[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` as `digits` hex digits, zero-padded.
    static func hex(_ value: UInt64, digits: Int, upper useUpper: Bool) -> String {
        let table = useUpper ? upper : lower
        var out = [UInt8](repeating: 0, count: digits)
        var v = value
        for k in stride(from: digits - 1, through: 0, by: -1) { out[k] = table[Int(v & 15)]; v >>= 4 }
        return String(decoding: out, as: UTF8.self)
    }
}

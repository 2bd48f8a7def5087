import Foundation
@testable import Ledger
import Testing

/// The digit-by-digit reader gives the general parser's instant for every stored time a ledger can hold, and declines
/// (to the general parser) what is not in the stored form.
@Suite struct LedgerTimeTests {
    @Test func storedTimesReadBackExactly() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ms = Double(UInt64.random(in: 0...253_402_300_799_000, using: &rng)) / 1000   // 1970 … 9999-12-31T23:59:59.999
            let d = Date(timeIntervalSince1970: (ms * 1000).rounded(.down) / 1000)
            let s = LedgerTime.storage(d)
            #expect(LedgerTime.fastParse(s) != nil && LedgerTime.fastParse(s) == LedgerTime.generalParse(s), "\(s)")
            // A stored time read back is stored as the same text (the audit chain hashes that text).
            #expect(LedgerTime.storage(LedgerTime.parse(s)!) == s, "\(s)")
        }
        #expect(LedgerTime.fastParse("2026-11-29 12:25:46") == Date(timeIntervalSince1970: 1_795_955_146))
        #expect(LedgerTime.fastParse("2026-13-29 12:25:46.000") == nil)
        #expect(LedgerTime.fastParse("2026-11-29T12:25:46.000+01:00") == nil)
        #expect(LedgerTime.parse("2026-11-29T12:25:46.5") != nil && LedgerTime.fastParse("2026-11-29T12:25:46.5") == nil)
    }
}

import Authority
import Foundation
import Ledger
import MatterPKI

/// Issue #12: the rate of a 100,000-DAC batch (generated keys, SoftHSM2 PAI, in process, output on tmpfs; best of 2)
/// on the ledger as it is, then again with 10,000,000 certificate rows in it, and the ledger's bytes per DAC (growth of
/// the SQLite file and its -wal over the real batch, ÷ 100,000). The rows up to 10 M are seeded (`SeededRows`:
/// placeholder DER, real indexes and audit entries); the disk is checked before and during seeding, and the size
/// measured is the largest that fits when 10 M does not.
enum LedgerScaleBench {
    static let batchSize = 100_000

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// The SQLite ledger file and its -wal, in bytes.
    static func ledgerBytes(_ home: AuthorityHome) -> Int {
        [home.ledger.path, home.ledger.path + "-wal"].reduce(0) { sum, path in
            sum + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
    }

    /// Bytes free to an unprivileged writer on the file system holding `url`.
    static func freeBytes(_ url: URL) -> Int {
        var s = statvfs()
        guard statvfs(url.path, &s) == 0 else { return 0 }
        return Int(s.f_bavail) * Int(s.f_frsize)
    }

    static func gb(_ bytes: Int) -> String { String(format: "%.2f GB", Double(bytes) / 1e9) }

    /// One timed batch; its rate and the ledger's growth per DAC.
    static func batch(_ authority: Authority, pai: String) throws -> (rate: Double, bytesPerDAC: Double) {
        let shm = URL(fileURLWithPath: "/dev/shm")
        let base = FileManager.default.isWritableFile(atPath: shm.path) ? shm : authority.home.root
        let out = base.appendingPathComponent("matter-ca-bench-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        // Earlier writes (the factory section's 400,000 files, the seeded rows) out to disk first, not during the timing.
        sync()
        let before = ledgerBytes(authority.home)
        let clock = ContinuousClock()
        let start = clock.now
        let r = try authority.issueBatch(DACBatchRequest(vendor: VendorID(0xFFF1), pid: ProductID(0x8000), pai: pai,
                                                         source: .generated(count: batchSize), output: out))
        let elapsed = seconds(clock.now - start)
        precondition(r.items.count == batchSize && r.newlyIssued == batchSize, "ledger-scale batch must issue \(batchSize) DACs")
        return (Double(batchSize) / elapsed, Double(ledgerBytes(authority.home) - before) / Double(batchSize))
    }

    /// Two batches back to back (this machine is noisy): the better rate, both rates, the first's bytes per DAC.
    static func bestOfTwo(_ authority: Authority, pai: String) throws -> (rate: Double, rates: String, bytesPerDAC: Double) {
        let a = try batch(authority, pai: pai), b = try batch(authority, pai: pai)
        return (max(a.rate, b.rate), String(format: "%.0f, %.0f", a.rate, b.rate), a.bytesPerDAC)
    }

    static func run(authority: Authority, pai: String, target: Int = 10_000_000) throws {
        print("Ledger at scale (issue #12): batches of 100,000 generated keys, SoftHSM2 PAI, on the ledger as it is and at \(target) certificate rows")
        let ledger = authority.ledger, home = authority.home
        guard authority.settings.ledgerURL == nil, FileManager.default.fileExists(atPath: home.ledger.path) else {
            print("  the bench's ledger is not the embedded SQLite one; skipped")
            Goals.shared.missing("ledger-10m", "not an SQLite ledger")
            return
        }
        let clock = ContinuousClock()
        let baseRows = try ledger.counts()["certificates"] ?? 0
        print("  ledger \(home.ledger.path): \(gb(ledgerBytes(home))), \(baseRows) certificate rows; \(gb(freeBytes(home.root))) free on its disk")
        let first = try bestOfTwo(authority, pai: pai)
        print(String(format: "  batch of 100,000 at %10d rows (base):  %8.0f /s (best of 2: %@)   ledger +%.0f bytes per DAC (SQLite file + -wal)",
                     baseRows, first.rate, first.rates as NSString, first.bytesPerDAC))
        fflush(nil)

        // Seed up to the target in steps of 1 M, checking the disk before each step against the bytes a seeded row
        // took so far (first measured on a 100,000-row probe), with half again as margin and room for the last batch.
        var rows = SeededRows(ledger: ledger, issuer: pai, prefix: "5")
        var have = try ledger.counts()["certificates"] ?? 0
        var goal = target
        var shortOfDisk: String?
        let reserve = Int(1.5 * Double(2 * batchSize) * max(first.bytesPerDAC, 2_000))
        var perRow = 0.0
        let seedStart = clock.now
        var lastBytes = ledgerBytes(home), lastCount = 0
        while have < goal {
            let step = perRow == 0 ? min(100_000, goal - have) : min(1_000_000 - have % 1_000_000, goal - have)
            if perRow > 0 {
                let free = freeBytes(home.root) - reserve
                let need = Int(Double(goal - have) * perRow * 1.5)
                if need > free {
                    goal = have + max(0, Int(Double(free) / (perRow * 1.5)))
                    shortOfDisk = "\(gb(freeBytes(home.root))) free, \(String(format: "%.0f", perRow)) bytes per seeded row: room for \(goal) rows, not \(target)"
                    print("  disk: \(shortOfDisk!); measuring there")
                    if have >= goal { break }
                    continue
                }
            }
            try rows.seed(to: rows.count + step)
            have += step
            let bytes = ledgerBytes(home)
            perRow = Double(bytes - lastBytes) / Double(rows.count - lastCount)
            lastBytes = bytes; lastCount = rows.count
            if have % 1_000_000 == 0 || have == goal {
                let s = seconds(clock.now - seedStart)
                print(String(format: "  seeded to %10d rows: ledger %@, %.0f s, %.0f rows/s, %.0f bytes per seeded row, %@ free",
                             have, gb(bytes) as NSString, s, Double(rows.count) / s, perRow, gb(freeBytes(home.root)) as NSString))
                fflush(nil)
            }
        }

        let atRows = try ledger.counts()["certificates"] ?? 0
        let second = try bestOfTwo(authority, pai: pai)
        let ratio = second.rate / first.rate
        print(String(format: "  batch of 100,000 at %10d rows:         %8.0f /s (best of 2: %@)   ledger +%.0f bytes per DAC (SQLite file + -wal)",
                     atRows, second.rate, second.rates as NSString, second.bytesPerDAC))
        print(String(format: "  ratio at %d rows / at %d rows: %.2f (goal >= 0.8 at 10 M); ledger %@, %.0f bytes per DAC over the base batch",
                     atRows, baseRows, ratio, gb(ledgerBytes(home)) as NSString, first.bytesPerDAC))
        var notes = ["base \(baseRows) rows", String(format: "%.0f B/DAC", first.bytesPerDAC)]
        if let shortOfDisk { notes.append("at \(atRows) rows, not 10 M: \(shortOfDisk)") }
        else if atRows < 10_000_000 { notes.append("at \(atRows) rows, not 10 M") }
        Goals.shared.ratio("ledger-10m", second.rate, over: first.rate, baselineLabel: "base", note: notes.joined(separator: "; "))
    }
}

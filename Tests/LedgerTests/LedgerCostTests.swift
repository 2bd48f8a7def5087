import Foundation
@testable import Ledger
import Testing
import TestSupport

/// The cost of one `commitChunk` transaction per engine, printed (not judged: machines differ). Opt-in:
/// `MATTER_CA_LEDGER_MEASURE=1 swift test --filter LedgerCostTests` (with the PostgreSQL variables for both engines).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MATTER_CA_LEDGER_MEASURE"] != nil)) struct LedgerCostTests {
    @Test(arguments: Engine.all) func commitChunkCost(engine: Engine) throws {
        let f = Fixture(engine)
        let l = try f.ledger()
        try l.createBatch(Make.batch("B1", key: "k", count: 1_000_000), actor: "t")
        var item = 0
        func measure(chunk: Int, transactions: Int) throws -> Double {
            let chunks = (0..<transactions).map { _ in
                defer { item += chunk }
                return Make.dacs(item..<(item + chunk), batch: "B1")
            }
            let start = DispatchTime.now().uptimeNanoseconds
            for c in chunks { try l.commitChunk(c, batchID: "B1", actor: "t") }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(transactions)
        }
        _ = try measure(chunk: 10, transactions: 5)   // warm-up (connections, statement caches)
        let one = try measure(chunk: 1, transactions: 200)
        let hundred = try measure(chunk: 100, transactions: 50)
        print("commitChunk on \(engine): 1 certificate \(String(format: "%.2f", one)) ms/transaction; 100 certificates \(String(format: "%.2f", hundred)) ms/transaction (\(String(format: "%.3f", hundred / 100)) ms/certificate)")
        #expect(try l.counts()["certificates"] == 50 + 200 + 5000 && l.verifyAudit().intact)
    }
}

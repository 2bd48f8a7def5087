import Foundation

/// The goals of issues #10 and #12, each filled in by the section that measures it (a figure beside its baseline of
/// the same run) and printed together at the end of a full run. A goal no section filled in is printed as not
/// measured, with the reason when one was given.
final class Goals: @unchecked Sendable {
    static let shared = Goals()

    enum Rule {
        /// figure / baseline must be at least this.
        case ratioAtLeast(Double)
        /// An absolute figure, at most (`strict`: below) this, in `unit`.
        case atMost(Double, unit: String, strict: Bool)
    }

    struct Goal {
        let id: String
        let title: String
        let rule: Rule
    }

    static let all: [Goal] = [
        Goal(id: "dac", title: "DAC build + lint + sign / raw software P-256 sign", rule: .ratioAtLeast(0.6)),
        Goal(id: "batch-csr", title: "batch from CSRs / raw PKCS11Signer (best concurrency)", rule: .ratioAtLeast(0.6)),
        Goal(id: "batch-gen", title: "batch, generated keys / raw PKCS11Signer (best)", rule: .ratioAtLeast(0.6)),
        Goal(id: "factory-mfg", title: "factory 100k e2e devices/s / esp-matter-mfg-tool", rule: .ratioAtLeast(100)),
        Goal(id: "factory-djca", title: "factory 100k e2e DACs/s / django-ca SoftHSM2 key", rule: .ratioAtLeast(25)),
        Goal(id: "factory-rss", title: "factory 100k e2e peak RSS", rule: .atMost(256, unit: "MiB", strict: false)),
        Goal(id: "verify", title: "cached verification / raw P-256 verify", rule: .ratioAtLeast(0.4)),
        Goal(id: "http-verify-16", title: "POST /v1/verify, 16 conns / in-process cached", rule: .ratioAtLeast(0.7)),
        Goal(id: "http-verify-100", title: "POST /v1/verify, 100 conns / in-process cached", rule: .ratioAtLeast(0.7)),
        Goal(id: "est-16", title: "EST simpleenroll, 16 conns / in-process issuance", rule: .ratioAtLeast(0.5)),
        Goal(id: "est-p99", title: "EST simpleenroll p99 at 100 conns", rule: .atMost(20, unit: "ms", strict: true)),
        Goal(id: "ledger-10m", title: "batch rate at 10 M ledger rows / base ledger", rule: .ratioAtLeast(0.8)),
        Goal(id: "show-1m", title: "show SERIAL at >= 1 M DACs (median)", rule: .atMost(5, unit: "ms", strict: true)),
    ]

    private struct Entry {
        var figure: Double?
        var unit = ""
        var baseline: Double?
        var baselineLabel = ""
        var note = ""
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    /// A figure beside its same-run baseline (both in `unit`), for a ratio goal.
    func ratio(_ id: String, _ figure: Double, over baseline: Double, unit: String = "/s", baselineLabel: String, note: String = "") {
        lock.withLock { entries[id] = Entry(figure: figure, unit: unit, baseline: baseline, baselineLabel: baselineLabel, note: note) }
    }

    /// An absolute figure, for an at-most goal.
    func value(_ id: String, _ figure: Double, note: String = "") {
        lock.withLock { entries[id] = Entry(figure: figure, note: note) }
    }

    /// Why a goal has no figure in this run (or no baseline: `figure` alone is then shown).
    func missing(_ id: String, _ reason: String, figure: Double? = nil, unit: String = "/s") {
        lock.withLock { entries[id] = Entry(figure: figure, unit: unit, note: reason) }
    }

    /// One line per goal (those of `only`, when given): figure, baseline, ratio, goal, met / NOT met.
    func printSummary(only: Set<String>? = nil) {
        let snapshot = lock.withLock { entries }
        print("Goals (issues #10 and #12), each against its baseline in this run")
        var met = 0, measured = 0
        for goal in Self.all where only?.contains(goal.id) ?? true {
            let title = (goal.title as NSString).padding(toLength: 54, withPad: " ", startingAt: 0)
            let e = snapshot[goal.id]
            var line: String
            var ok: Bool?
            switch goal.rule {
            case .ratioAtLeast(let want):
                if let e, let f = e.figure, let b = e.baseline, b > 0 {
                    let r = f / b
                    ok = r >= want
                    line = "\(title) \(Self.pad(Self.number(f), 9)) \(e.unit) vs \(Self.pad(Self.number(b), 9)) \(e.unit) \(e.baselineLabel)"
                        + "  ratio \(Self.ratioText(r, as: want))  goal >= \(Self.ratioText(want, as: want))"
                } else {
                    line = "\(title) " + (e?.figure.map { "\(Self.number($0)) \(e!.unit), " } ?? "") + "no baseline" + "  goal >= \(Self.ratioText(want, as: want))"
                }
            case .atMost(let limit, let unit, let strict):
                if let f = e?.figure {
                    ok = strict ? f < limit : f <= limit
                    line = "\(title) \(Self.pad(String(format: "%.2f", f), 9)) \(unit)  goal \(strict ? "<" : "<=") \(Int(limit)) \(unit)"
                } else {
                    line = "\(title) not measured  goal \(strict ? "<" : "<=") \(Int(limit)) \(unit)"
                }
            }
            if let ok { measured += 1; if ok { met += 1 } }
            let verdict = ok.map { $0 ? "met" : "NOT met" } ?? "NOT measured"
            let note = (e?.note).flatMap { $0.isEmpty ? nil : " (\($0))" } ?? (e == nil ? " (no section recorded it in this run)" : "")
            print("  \(line)  \(verdict)\(note)")
        }
        print("  \(met) of \(Self.all.filter { only?.contains($0.id) ?? true }.count) goals met (\(measured) measured)")
    }

    static func number(_ v: Double) -> String {
        v >= 100 ? String(format: "%.0f", v) : v >= 1 ? String(format: "%.1f", v) : String(format: "%.3f", v)
    }

    static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

    /// A ratio as its goal is written: "20x" beside a goal of 100x, "0.63" beside 0.8.
    static func ratioText(_ r: Double, as goal: Double) -> String { goal >= 10 ? String(format: r >= 10 ? "%.0fx" : "%.1fx", r) : String(format: "%.2f", r) }
}

extension Goals {
    /// The figures main.swift measures itself (DAC issuance, batches, cached verification).
    func recordMain(issued: Double, raw: Double, csrBatch: Double, generatedBatch: Double, hsmRaw: Double, cachedVerify: Double, rawVerify: Double) {
        ratio("dac", issued, over: raw, baselineLabel: "raw sign")
        ratio("batch-csr", csrBatch, over: hsmRaw, baselineLabel: "raw HSM")
        ratio("batch-gen", generatedBatch, over: hsmRaw, baselineLabel: "raw HSM")
        ratio("verify", cachedVerify, over: rawVerify, baselineLabel: "raw verify")
    }

    /// ServerBench's wrk figures.
    func recordServer(_ results: [ServerBench.Measured]) {
        func find(_ label: String, _ c: Int) -> ServerBench.Measured? { results.first { $0.label == label && $0.connections == c } }
        for (id, label, c) in [("http-verify-16", "POST /v1/verify", 16), ("http-verify-100", "POST /v1/verify", 100), ("est-16", "EST simpleenroll", 16)] {
            if let m = find(label, c) {
                ratio(id, m.result.rate, over: m.baseline, baselineLabel: "in-process", note: m.result.non2xx > 0 ? "\(m.result.non2xx) non-2xx" : "")
            } else {
                missing(id, "no wrk figure (server or wrk unavailable)")
            }
        }
        if let m = find("EST simpleenroll", 100) { value("est-p99", m.result.p99, note: String(format: "%.0f /s, p50 %.2f ms; 100 closed-loop connections need %.0f /s for a mean under 20 ms", m.result.rate, m.result.p50, 100 / 0.020)) }
        else { missing("est-p99", "no wrk figure (server or wrk unavailable)") }
    }

    /// RevocationBench's inventory lookup at its largest size.
    func recordShow(_ show: RevocationBench.Inventory?) {
        guard let show else { missing("show-1m", "the revocation section did not reach 1 M rows"); return }
        value("show-1m", show.showMilliseconds, note: "at \(show.rows) DACs")
    }
}

import Foundation

/// A home whose PAA keys are on a root token opened by M of N custodians, each share in a folder of its own.
public struct CustodyHome: Sendable {
    public let home: TestHome
    /// Share file of custodian k at index k-1.
    public let shareFiles: [String]
    public let custodians: [String]

    public init(custodians n: Int = 5, quorum m: Int = 3) throws {
        home = try TestHome(initialise: false)
        let dir = try CLI.tempDirectory("shares")
        custodians = (1...n).map { "custodian-\($0)" }
        shareFiles = try (1...n).map { k in
            let d = dir.appendingPathComponent("usb-\(k)")
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            return d.appendingPathComponent("share.txt").path
        }
        let r = try home.run(["init", "--custodians", String(n), "--quorum", String(m), "--custodian-ids", custodians.joined(separator: ",")]
                             + shareFiles.flatMap { ["--share-file", $0] })
        guard r.status == 0 else { throw TestHome.Failure(description: "init failed: \(r.output)") }
    }

    /// The share texts as the custodians hold them.
    public func shares() throws -> [String] {
        try shareFiles.map { try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// `--share` arguments for the custodians at `indices` (0-based).
    public func shareArguments(_ indices: [Int]) -> [String] { indices.flatMap { ["--share", shareFiles[$0]] } }

    /// Objects on each token of the home (SoftHSM2 keeps one file per object), by token directory.
    public func tokenObjects() throws -> [String: Int] {
        let tokens = try FileManager.default.contentsOfDirectory(atPath: home.root.appendingPathComponent("tokens").path)
        let objects = try home.tokenObjects().keys
        return Dictionary(uniqueKeysWithValues: tokens.map { t in (t, objects.filter { $0.hasPrefix(t + "/") }.count) })
    }

    /// Ledger rows, audit head and token objects: what a refused or aborted operation must leave as it was.
    public func state() throws -> String { "\(try home.ledgerState())|\(try tokenObjects().sorted { $0.key < $1.key })" }
}

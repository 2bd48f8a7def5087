import ArgumentParser
import Authority
import Foundation
import Ledger

struct VendorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vendor", abstract: "The vendor registry.", subcommands: [VendorImport.self, VendorList.self, TokenCommand.self, StationCommand.self])
}

struct VendorImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Load VendorRegistry/*.yaml into the ledger (idempotent; all or nothing).")
    @OptionGroup var options: HomeOptions
    @Argument(help: "Directory of vendor YAML files.") var directory: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let ledger = try options.ledger()
        let changes: [Int: VendorImportChange]
        do {
            changes = try VendorRegistry.importDirectory(URL(fileURLWithPath: directory), into: ledger, actor: Authority.currentActor(), now: Date())
        } catch let e as VendorRegistry.Refused { throw CLIExit.refused(e.description) } catch {
            throw CLIExit.refused("\(directory): \(oneLine(error))")
        }
        // The ledger alone suffices to import; with a PIN at hand the new head is also signed.
        if changes.values.contains(where: { $0 != .unchanged }) { try checkpointIfPossible(options) }
        let rows = changes.sorted { $0.key < $1.key }.map { (String(format: "%04X", $0.key), $0.value) }
        if json { writeStdout(jsonString(Dictionary(uniqueKeysWithValues: rows))) } else {
            for (vid, change) in rows { writeStdout("VID \(vid): \(change.rawValue)\n") }
        }
    }
}

struct VendorList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Vendors in the ledger.")
    @OptionGroup var options: HomeOptions
    @Flag(help: "Print JSON.") var json = false

    struct Item: Encodable { let vid, name: String; let contact: String?; let products: [String]; let pais: [String]; let source: String }

    func run() throws {
        let items = try options.ledger().vendors().map { d in
            Item(vid: String(format: "%04X", d.vendor.vid), name: d.vendor.name, contact: d.vendor.contact,
                 products: d.products.map { $0.count == 1 ? String(format: "%04X", $0.lowerBound) : String(format: "%04X-%04X", $0.lowerBound, $0.upperBound) },
                 pais: d.paiSKIDs, source: d.vendor.source)
        }
        if json { writeStdout(jsonString(items)); return }
        for i in items { writeStdout("\(i.vid)  \(i.name)  products \(i.products.joined(separator: ","))  PAIs \(i.pais.joined(separator: ","))\n") }
        if items.isEmpty { writeStdout("(none)\n") }
    }
}

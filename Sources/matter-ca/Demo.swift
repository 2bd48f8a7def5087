import Authority
import Foundation
import Ledger
import MatterPKI
import Yams

/// `serve --demo`: a demonstration authority on the embedded defaults. Its PINs and tokens are generated and kept
/// in the home (mode 0600, named demo-*), which a production home never does.
struct Demo {
    let home: AuthorityHome
    let registry: URL
    var pinsFile: URL { home.root.appendingPathComponent("demo-pins.json") }
    var tokensFile: URL { home.root.appendingPathComponent("demo-tokens.json") }

    struct Pins: Codable { let note: String; let pin: String; let soPIN: String }
    struct Tokens: Codable { let note: String; let vendor: String; let vendorToken: String; let adminToken: String; let label: String }

    init(home: AuthorityHome, registry: URL) throws {
        self.home = home
        self.registry = registry
    }

    func open(module: String?) throws -> Authority {
        // Everything a demo needs is checked before anything is created: a missing registry used to fail after the
        // token and the PAA existed, and the next run served that half-made home.
        if !home.exists || tokens == nil { try checkRegistry() }
        if !home.exists { try initialize(module: module) }
        guard let data = FileManager.default.contents(atPath: pinsFile.path), let pins = try? JSONDecoder().decode(Pins.self, from: data) else {
            throw CLIExit.refused("\(home.root.path) is not a demo home (no demo-pins.json): run serve without --demo, with the PIN in MATTER_CA_PIN or MATTER_CA_PIN_FILE")
        }
        let a: Authority
        do { a = try Authority(home: home, pin: Array(pins.pin.utf8), moduleOverride: module) } catch { throw CLIExit.refused(oneLine(error)) }
        // A demo home whose setup was interrupted (no tokens file yet) is completed, step by step, reusing what exists.
        if tokens == nil { try complete(a) }
        return a
    }

    func checkRegistry() throws {
        do { try VendorRegistry.checkDirectory(registry) } catch {
            throw CLIExit.refused("demo: the vendor registry \(registry.path) is not a directory: run from the repository root, or pass --vendor-registry DIR; nothing was created")
        }
    }

    /// `./VendorRegistry`; when the current directory has none, that of the source tree the running binary was built
    /// in (`<tree>/.build/<triple>/release/matter-ca`), so that the README's command works from any directory.
    static func defaultRegistry() -> URL {
        let here = URL(fileURLWithPath: "VendorRegistry")
        if FileManager.default.fileExists(atPath: here.path) { return here }
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return here }
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<5 {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("VendorRegistry")
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
               FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return here
    }

    static func random() -> String { (0..<12).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() }

    /// The home, its token and ledger, and the generated PINs.
    func initialize(module: String?) throws {
        let pins = Pins(note: "DEMO ONLY: generated PINs kept in the home; a production home takes its PINs from the environment, a file or a prompt",
                        pin: Self.random(), soPIN: Self.random())
        do {
            try Authority.initialize(home: home, pin: Array(pins.pin.utf8), soPIN: Array(pins.soPIN.utf8), module: module)
            try FileOutput.write(try JSONEncoder().encode(pins), to: pinsFile, mode: 0o600)
        } catch let e as CLIExit { throw e } catch { throw CLIExit.refused("demo: \(oneLine(error))") }
    }

    /// The PAA, a PAI per PAI name of the example vendors, the vendors, two tokens; each step skipped when an earlier,
    /// interrupted run did it (the tokens file is written last: its presence means the demo is complete).
    func complete(_ a: Authority) throws {
        do {
            let paa = try a.ledger.authorities(type: "paa").first { $0.name == "Demo PAA" && !$0.isExternal }?.skid
                ?? a.createPAA(name: "Demo PAA", vid: nil, lifetime: nil).authority.skid
            var first: (vid: VendorID, pid: String)?
            for file in try FileManager.default.contentsOfDirectory(atPath: registry.path).sorted() where file.hasSuffix(".yaml") {
                guard let node = try Yams.compose(yaml: String(contentsOf: registry.appendingPathComponent(file), encoding: .utf8))?.mapping,
                      let vidText = node["vid"]?.string, let vid = VendorID(hex: vidText) else { continue }
                for name in node["pais"]?.sequence?.compactMap(\.string) ?? [] where (try? a.inventory.authority(name, type: "pai")) == nil {
                    _ = try a.issuePAI(paa: paa, vid: vid, pid: nil, name: name)
                }
                if first == nil, let p = node["products"]?.sequence?.first?.string { first = (vid, String(p.prefix(4))) }
            }
            _ = try VendorRegistry.importDirectory(registry, into: a.ledger, actor: a.actor, now: Date())
            guard let first else { throw CLIExit.refused("demo: \(registry.path) holds no vendor with a product") }
            let (_, vendorToken) = try Credentials.createToken(ledger: a.ledger, vid: first.vid, label: "demo factory", actor: a.actor, now: Date())
            let (_, adminToken) = try Credentials.createToken(ledger: a.ledger, vid: nil, label: "demo admin", actor: a.actor, now: Date())
            try a.checkpoint()
            let tokens = Tokens(note: "DEMO ONLY: tokens kept in the home so that the printed commands work again", vendor: first.vid.hex,
                                vendorToken: vendorToken, adminToken: adminToken, label: "\(first.vid.hex)-\(first.pid)")
            try FileOutput.write(try JSONEncoder().encode(tokens), to: tokensFile, mode: 0o600)
        } catch let e as CLIExit { throw e } catch { throw CLIExit.refused("demo: \(oneLine(error))") }
    }

    var tokens: Tokens? {
        FileManager.default.contents(atPath: tokensFile.path).flatMap { try? JSONDecoder().decode(Tokens.self, from: $0) }
    }

    /// What to run next, with {URL} for the address the server listens on.
    func commands(_ t: Tokens) -> String {
        let ca = home.root.appendingPathComponent("service-ca/ca.pem").path
        return """

            demo authority in \(home.root.path) (DEMO ONLY: PINs and tokens are kept in the home)
            vendor \(t.vendor) API token: \(t.vendorToken)
            admin token: \(t.adminToken)

            # enroll a first DAC over EST (label \(t.label): vendor \(t.vendor), product \(t.label.suffix(4)), its PAI):
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout device-key.pem -subj /CN=device -outform DER -out device.csr
            base64 device.csr > device.csr.b64
            curl -sS --fail-with-body --cacert \(ca) -u factory:\(t.vendorToken) -H 'Content-Type: application/pkcs10' --data-binary @device.csr.b64 {URL}/.well-known/est/\(t.label)/simpleenroll -o device.p7.b64
            base64 -d device.p7.b64 | openssl pkcs7 -inform DER -print_certs -out dac.pem
            # the same with strongSwan's EST client (it sends no label: the demo serves \(t.label) as the default one):
            pki --est --url {URL} --cacert \(ca) --userpass factory:\(t.vendorToken) --in device.csr --outform pem > dac-strongswan.pem
            # verify the DAC against the authority's chain:
            curl -sS --fail-with-body --cacert \(ca) {URL}/.well-known/est/\(t.label)/cacerts -o chain.p7.b64
            base64 -d chain.p7.b64 | openssl pkcs7 -inform DER -print_certs -out chain.pem
            openssl verify -x509_strict -CAfile chain.pem dac.pem

            """
    }
}

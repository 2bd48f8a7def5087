import ArgumentParser
import Authority
import Foundation
import Ledger

struct HomeOptions: ParsableArguments {
    @Option(help: "Authority home (default: $MATTER_CA_HOME, else ./.matter-ca).") var home: String?
    @Option(help: "PKCS#11 module (default: $MATTER_CA_PKCS11_MODULE, else the one chosen at init).") var pkcs11Module: String?

    var authorityHome: AuthorityHome { AuthorityHome(explicit: home) }

    /// The authority, logged in with MATTER_CA_PIN, MATTER_CA_PIN_FILE or a prompt.
    /// With custodians, a PAA key on the root token is opened by shares from `custody`'s files or the terminal.
    func open(custody: CustodyOptions? = nil) throws -> Authority {
        let h = authorityHome
        guard h.exists else { throw CLIExit.refused(AuthorityError.notInitialized(h.root.path).description) }
        let pin = try Secrets.pin("MATTER_CA_PIN", prompt: "Token user PIN")
        let authority: Authority
        do { authority = try Authority(home: h, pin: pin, moduleOverride: pkcs11Module) } catch { throw CLIExit.refused(oneLine(error)) }
        authority.shareSource = ShareInput.source(files: custody?.shareFiles ?? [])
        return authority
    }

    /// The ledger alone (no token, no PIN): for the inventory and the vendor registry.
    func ledger() throws -> any Ledger {
        do { return try authorityHome.openLedger() } catch { throw CLIExit.refused(oneLine(error)) }
    }
}

/// An error as one precise line for the operator: our typed errors say what and where; a Foundation error gives
/// its POSIX reason, never its dump.
func oneLine(_ error: Error) -> String {
    let domain = (error as NSError).domain
    if domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain { return OutputLocation.reason(error) }
    return "\(error)"
}

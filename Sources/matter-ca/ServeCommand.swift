import ArgumentParser
import AttestationVerifier
import Authority
import AuthorityServer
import Foundation
import MatterPKI

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve REST /v1, EST (RFC 7030), /v1/verify, /healthz and /metrics over TLS.",
        discussion: """
            Without --tls-cert/--tls-key the server's certificate comes from a software service CA kept in \
            <home>/service-ca (never the Matter PAA); clients trust it with --cacert <home>/service-ca/ca.pem. \
            --demo on an empty home creates a demonstration authority (PINs generated and kept in the home, labelled \
            demo), prints the commands that enroll and verify a first DAC, and serves; on an existing demo home it \
            serves. SIGTERM shuts down gracefully; SIGHUP reloads the verification trust stores.
            """)
    @OptionGroup var options: HomeOptions
    @Option(help: "Address and port (port 0: any free port, printed).") var bind = "127.0.0.1:8443"
    @Option(help: "Server certificate chain (PEM).") var tlsCert: String?
    @Option(help: "Server private key (PEM).") var tlsKey: String?
    @Option(help: "CA certificates (PEM) that factory station certificates must be issued by.") var clientCa: String?
    @Option(help: "Trusted PAAs for /v1/verify (directory, DER or PEM).") var paaStore: String?
    @Option(help: "CD signing certificates for /v1/verify (directory).") var cdKeys: String?
    @Option(help: "Matter revocation set (JSON) for /v1/verify.") var revocationSet: String?
    @Flag(help: "Trust this authority's own PAAs in /v1/verify.") var trustOwnPaas = false
    @Flag(help: "Refuse CDs signed by the SDK's test CD key.") var noTestCdKey = false
    @Option(help: "Largest request body, bytes.") var maxBody = 1 << 20
    @Option(help: "Close connections idle this many seconds.") var idleTimeout: Int64 = 30
    @Option(help: "Batch jobs that may run at once (more: 503).") var maxBatchJobs = 2
    @Option(help: "Seconds a batch job stays held by this instance without a renewal (renewed every chunk); after that, another instance of the home resumes it.")
    var batchLease: Double = Authority.batchLease
    @Option(help: "text or json (one JSON object per line on stderr).") var logFormat = "text"
    @Flag(help: "Log every request (method, path) at info level.") var logRequests = false
    @Flag(help: "A demonstration authority on an empty home (see above).") var demo = false
    @Option(help: "With --demo: the vendor registry to import (default: ./VendorRegistry, else the one of the source tree this binary was built in).")
    var vendorRegistry: String?
    @Option(help: "The EST label (<VID>-<PID>) of the unlabelled /.well-known/est/<op> paths, for clients that cannot send a label.") var estDefaultLabel: String?

    func run() throws {
        guard ["text", "json"].contains(logFormat) else { throw CLIExit.unreadable("--log-format must be text or json") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw CLIExit.unreadable("--tls-cert and --tls-key go together") }
        guard batchLease >= 1 else { throw CLIExit.unreadable("--batch-lease must be at least 1 second") }
        var server = ServerOptions()
        let parts = bind.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port), !parts[0].isEmpty else {
            throw CLIExit.unreadable("--bind \(bind) is not HOST:PORT")
        }
        server.host = String(parts[0]); server.port = port
        server.tlsCertificate = tlsCert; server.tlsKey = tlsKey; server.clientCA = clientCa
        server.maxBodyBytes = maxBody; server.idleTimeoutSeconds = idleTimeout; server.maxBatchJobs = maxBatchJobs; server.batchLease = batchLease
        server.jsonLogs = logFormat == "json"
        server.logRequests = logRequests
        server.verifier = VerifierConfiguration(paaStore: paaStore.map { URL(fileURLWithPath: $0) }, cdKeys: cdKeys.map { URL(fileURLWithPath: $0) },
                                                revocationSet: revocationSet.map { URL(fileURLWithPath: $0) })
        server.verifier.allowTestCDKey = !noTestCdKey
        server.trustOwnPAAs = trustOwnPaas || demo
        server.estDefaultLabel = estDefaultLabel

        let authority: Authority
        var demoCommands: String?
        if demo {
            let d = try Demo(home: options.authorityHome, registry: vendorRegistry.map { URL(fileURLWithPath: $0) } ?? Demo.defaultRegistry())
            authority = try d.open(module: options.pkcs11Module)
            if let t = d.tokens {
                demoCommands = d.commands(t)
                if server.estDefaultLabel == nil { server.estDefaultLabel = t.label }
            }
        } else {
            authority = try options.open()
        }
        let commands = demoCommands
        // Before the first task: requests then run on the event loop that serves their connection.
        AuthorityServer.adoptEventLoopsAsGlobalExecutor()
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await AuthorityServer.run(authority: authority, options: server) { line in
                    writeStdout(line + "\n")
                    if line.hasPrefix("listening on "), let commands {
                        let url = String(line.dropFirst("listening on ".count))
                        writeStdout(commands.replacingOccurrences(of: "{URL}", with: url))
                    }
                }
            } catch { failure.set(error) }
            done.signal()
        }
        done.wait()
        if let e = failure.get() { throw CLIExit.refused("serve: \(oneLine(e))") }
    }
}

final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    func set(_ e: Error) { lock.withLock { error = e } }
    func get() -> Error? { lock.withLock { error } }
}

import AttestationVerifier
import Authority
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import MatterPKI
import NIOCore
import NIOPosix
import NIOSSL

public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8443
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// CA certificates that factory station certificates must be issued by (when stations are used).
    public var clientCA: String?
    public var maxBodyBytes = 1 << 20
    public var idleTimeoutSeconds: Int64 = 30
    public var maxBatchJobs = 2
    /// Seconds a batch job stays held by this instance without a renewal; then another instance may resume it.
    public var batchLease: TimeInterval = Authority.batchLease
    public var verifier = VerifierConfiguration()
    /// Trust the authority's own PAAs in /v1/verify.
    public var trustOwnPAAs = false
    public var jsonLogs = false
    /// A log line per request (method, path) at info level.
    public var logRequests = false
    /// The EST label of the unlabelled `/.well-known/est/<op>` paths.
    public var estDefaultLabel: String?
    public init() {}
}

/// `matter-ca serve`: REST /v1, EST, /v1/verify, /healthz and /metrics over TLS (1.2+, 1.3 preferred), shut down
/// gracefully on SIGTERM (no new connections; requests in flight and batch chunks finish), trust reloaded on SIGHUP.
public enum AuthorityServer {
    /// Makes NIO's event loops Swift Concurrency's global executor, so a request's task runs on the thread that reads
    /// and writes its connection instead of hopping to the cooperative pool and back for every part of it (perf: the
    /// hops cost more than a verification). Call once, from the main thread, before anything starts a task; false when
    /// it could not be installed (then the server runs as before).
    @discardableResult
    public static func adoptEventLoopsAsGlobalExecutor() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    public static func run(authority: Authority, options: ServerOptions, announce: @escaping @Sendable (String) -> Void) async throws {
        Observability.bootstrap(jsonLogs: options.jsonLogs)
        let logger = Logger(label: "matter-ca")
        AppContext.bodyLimit = options.maxBodyBytes

        var tls: TLSConfiguration
        if let cert = options.tlsCertificate, let key = options.tlsKey {
            tls = .makeServerConfiguration(certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
                                           privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        } else {
            let ca = ServiceCA(home: authority.home.root)
            let hosts = Array(Set([options.host, "127.0.0.1", "localhost"])).sorted()
            let (fingerprint, created) = try ca.ensure(hosts: hosts)
            announce("TLS: service CA \(ca.caPEM.path) (\(created ? "created" : "reused"); not a Matter PAA), SHA-256 fingerprint \(fingerprint)")
            tls = .makeServerConfiguration(certificateChain: try NIOSSLCertificate.fromPEMFile(ca.serverCertificatePEM.path).map { .certificate($0) },
                                           privateKey: .privateKey(try NIOSSLPrivateKey(file: ca.serverKeyPEM.path, format: .pem)))
        }
        tls.minimumTLSVersion = .tlsv12
        // A client certificate is asked for, never required: the handshake proves the client holds its key, and
        // the routes decide what it is (a DAC of this authority, or a registered station).
        tls.certificateVerification = .optionalVerification
        let stationCAs = try options.clientCA.map { try NIOSSLCertificate.fromPEMFile($0).map { try $0.toDERBytes() } } ?? []

        let owner = authority
        let verify = try VerifyService(logger: logger) {
            var config = options.verifier
            if options.trustOwnPAAs {
                let inventory = owner.inventory
                // An external PAA (above an imported PAI) is trusted for that chain only, not as one of ours.
                config.extraPAAs = try owner.ledger.authorities(type: "paa").filter { !$0.isExternal }.map { (try inventory.certificate(of: $0), "ledger PAA \($0.name)") }
            }
            let (v, skipped) = try config.make(cache: PAICache())
            return (v, skipped)
        }
        let jobs = BatchJobs(authority: authority, maxConcurrent: options.maxBatchJobs, lease: options.batchLease, logger: logger)
        let auth = Authenticator(ledger: authority.ledger, clock: authority.clock, stationCAs: stationCAs)
        let rest = RESTRoutes(authority: authority, auth: auth, jobs: jobs, verify: verify)
        let revocation = RevocationRoutes(authority: authority, auth: auth)
        let est = ESTRoutes(authority: authority, auth: auth, defaultLabel: options.estDefaultLabel)
        let health = Health(authority: authority)

        let router = Router(context: AppContext.self)
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(LogRequestsMiddleware(options.logRequests ? .info : .debug))
        router.middlewares.add(ProblemMiddleware())
        for r in Routes.all {
            router.on(RouterPath(r.path), method: HTTPRequest.Method(r.method)!, use: Routes.handler(r.method, r.path, rest: rest, est: est, revocation: revocation, health: health))
        }
        Routes.refuseOtherMethods(router)

        signal(SIGHUP, SIG_IGN)
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hup.setEventHandler { verify.reload() }
        hup.resume()

        let app = Application(
            router: router,
            server: try .tls(.http1(configuration: .init(idleTimeout: .seconds(options.idleTimeoutSeconds))),
                             configuration: TLSChannelConfiguration(tlsConfiguration: tls, customAsyncVerificationCallback: { _ in .certificateVerified })),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "matter-ca"),
            services: [jobs],
            onServerRunning: { channel in
                announce("listening on https://\(options.host):\(channel.localAddress?.port ?? options.port)")
                jobs.resumeUnfinished()
            },
            logger: logger)
        try await app.runService()
        hup.cancel()
    }
}

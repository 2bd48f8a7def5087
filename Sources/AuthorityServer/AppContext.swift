import Authority
import Hummingbird
import NIOCore
import NIOSSL

/// The request context: the connection (for the TLS client certificate) and the body limit.
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    /// Set by `ServerLimits` at start-up.
    nonisolated(unsafe) static var bodyLimit = 1 << 20

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var maxUploadSize: Int { Self.bodyLimit }

    /// The DER of the client's TLS certificate, when it presented one.
    func clientCertificateDER() async -> [UInt8]? {
        guard let cert = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        return try? cert.toDERBytes()
    }
}

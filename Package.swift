// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "matter-ca",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "matter-ca", targets: ["matter-ca"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .target(name: "MatterPKI", dependencies: [
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "CPKCS11", cSettings: [
            // Debian's libp11-kit-dev provides pkcs11.h here; only the C file includes it.
            .unsafeFlags(["-I/usr/include/p11-kit-1"]),
        ], linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "Signing", dependencies: [
            "CPKCS11",
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "CertificateTemplates", dependencies: [
            "MatterPKI",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "X509Builder", dependencies: [
            "MatterPKI", "Signing",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // SQLite (GRDB) is the embedded default; PostgreSQL (postgres-nio) lets several servers share one ledger.
        .target(name: "Ledger", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "Authority", dependencies: [
            "MatterPKI", "CertificateTemplates", "X509Builder", "Signing", "Ledger", "CPKCS11",
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "AttestationVerifier", dependencies: [
            "MatterPKI",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "AuthorityServer", dependencies: [
            "Authority", "AttestationVerifier", "Ledger", "MatterPKI", "Signing", "X509Builder",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
        ], resources: [.copy("openapi.yaml")]),
        .executableTarget(name: "matter-ca", dependencies: [
            "MatterPKI", "CertificateTemplates", "X509Builder", "Signing", "AttestationVerifier", "Authority", "Ledger", "AuthorityServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "matter-ca-bench", dependencies: [
            "MatterPKI", "CertificateTemplates", "X509Builder", "Signing", "AttestationVerifier", "Authority", "Ledger", "AuthorityServer",
        ], path: "Benchmarks/matter-ca-bench"),
        .testTarget(name: "MatterPKITests", dependencies: ["MatterPKI", "TestSupport"]),
        .testTarget(name: "CertificateTemplatesTests", dependencies: ["CertificateTemplates", "X509Builder", "Signing", "TestSupport"]),
        .testTarget(name: "X509BuilderTests", dependencies: ["X509Builder", "TestSupport"]),
        .testTarget(name: "AuthorityTests", dependencies: ["Authority", "Ledger", "Signing", "MatterPKI", "TestSupport", "matter-ca"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "TestSupport"]),
        .testTarget(name: "SigningTests", dependencies: ["Signing", .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"), .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "AttestationVerifierTests", dependencies: ["AttestationVerifier", "MatterPKI", "TestSupport", "X509Builder", "Signing", "matter-ca"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MatterPKI", "TestSupport", "matter-ca"]),
        .testTarget(name: "AuthorityServerTests", dependencies: [
            "AuthorityServer", "Authority", "AttestationVerifier", "MatterPKI", "TestSupport", "matter-ca",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        .target(name: "TestSupport", dependencies: [
            "MatterPKI", "X509Builder", "Signing", "CertificateTemplates", "AttestationVerifier",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], path: "Tests/TestSupport"),
    ]
)

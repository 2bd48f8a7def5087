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
        .target(name: "Ledger", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Authority", dependencies: [
            "MatterPKI", "CertificateTemplates", "X509Builder", "Signing", "Ledger", "CPKCS11",
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
        .executableTarget(name: "matter-ca", dependencies: [
            "MatterPKI", "CertificateTemplates", "X509Builder", "Signing", "AttestationVerifier", "Authority", "Ledger",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "matter-ca-bench", dependencies: [
            "MatterPKI", "CertificateTemplates", "X509Builder", "Signing", "AttestationVerifier", "Authority", "Ledger",
        ], path: "Benchmarks/matter-ca-bench"),
        .testTarget(name: "MatterPKITests", dependencies: ["MatterPKI", "TestSupport"]),
        .testTarget(name: "CertificateTemplatesTests", dependencies: ["CertificateTemplates", "X509Builder", "Signing", "TestSupport"]),
        .testTarget(name: "X509BuilderTests", dependencies: ["X509Builder", "TestSupport"]),
        .testTarget(name: "AuthorityTests", dependencies: ["Authority", "Ledger", "Signing", "MatterPKI", "TestSupport", "matter-ca"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "TestSupport"]),
        .testTarget(name: "SigningTests", dependencies: ["Signing", .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"), .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "AttestationVerifierTests", dependencies: ["AttestationVerifier", "MatterPKI", "TestSupport", "X509Builder", "Signing", "matter-ca"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MatterPKI", "TestSupport", "matter-ca"]),
        .target(name: "TestSupport", dependencies: [
            "MatterPKI", "X509Builder", "Signing", "CertificateTemplates",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], path: "Tests/TestSupport"),
    ]
)

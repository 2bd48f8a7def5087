import Authority
import Crypto
import Foundation

/// How close to the raw signing rate a batch can come on this machine at all. The raw PKCS11Signer rate at its best
/// concurrency keeps every core busy signing; whatever else a batch must do per certificate takes core time away from
/// signing. Two pieces of that work cannot be skipped: checking each CSR's signature (bad CSRs are refused) and,
/// for generated keys, making each key. Measured here on one core, same run, they bound the ratio from above even if
/// the template, lint, ledger and files cost nothing.
enum BatchBound {
    static func run(csrs: [(name: String, der: [UInt8])], rawBest: Double) {
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        var i = 0
        let check = rate("CSR check (parse + signature verify), 1 core") {
            i &+= 1
            if case .failure = CSRCheck.key(csrs[i % csrs.count].der, name: "bench") { fatalError("bench CSR refused") }
        }
        _ = rate("key generation with FIPS self-test (swift-crypto), 1 core") {
            _ = P256.Signing.PrivateKey(compactRepresentable: false)
        }
        let keygen = rate("factory key generation alone (FactoryKeys), 1 core") {
            _ = FactoryKeys.key()
        }
        _ = rate("factory key generation + its PKCS#8 PEM, 1 core") {
            _ = FactoryKeys.key().pemRepresentation
        }
        // Core-seconds per certificate: signing takes cores / rawBest; the mandatory work 1 / its one-core rate.
        func bound(_ mandatory: Double) -> Double { (cores / rawBest) / (cores / rawBest + 1 / mandatory) }
        print(String(format: "  upper bound on %.0f cores (signing at %.0f/s fills them): %.2f from CSRs (the CSR check alone), %.2f generated (key generation alone)",
                     cores, rawBest, bound(check), bound(keygen)))
    }
}

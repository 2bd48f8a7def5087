import Foundation
import MatterPKI
import Testing
import TestSupport

/// `lint` of PAI and DAC plus the chain rules against the SDK's test PAA FFF1 must give the SDK's own
/// certificate-level verdict (`certificate_level_ok` in sdk-verdicts.json) for every struct_dac_*/struct_pai_* vector.
@Suite struct SDKVectorLintTests {
    static let paa = try? CertificateFile.read(path: SharedVectors.testPAAFFF1.path)

    /// The certificate-level verdict the SDK harness computes (VECTORS.md): chain rules, DAC VID 0xFFF1 and
    /// the DAC PID equal to the vector's Basic Information PID when it has one.
    static func verdict(_ name: String) throws -> (ok: Bool, reasons: [String]) {
        let v = try SharedVectors.vector(name)
        let pai: ParsedCertificate, dac: ParsedCertificate
        do {
            pai = try ParsedCertificate(der: [UInt8](hex: v.pai_cert)!)
            dac = try ParsedCertificate(der: [UInt8](hex: v.dac_cert)!)
        } catch {
            return (false, ["unreadable: \(error)"])
        }
        var reasons = MatterProfile.lintChain(paa: paa!, pai: pai, dac: dac).map(\.description)
        if let ids = try? dac.matterVIDPID() {
            if let vid = ids.vid, vid != VendorID(0xFFF1) { reasons.append("DAC VID \(vid) is not the Basic Information VID 0xFFF1") }
            if let want = v.basic_info_pid, let pid = ids.pid, pid.rawValue != want {
                reasons.append("DAC PID \(pid) is not the Basic Information PID \(want)")
            }
        }
        return (reasons.isEmpty, reasons)
    }

    @Test(.enabled(if: SharedVectors.available, SharedVectors.skipReason), arguments: SharedVectors.certificateCases)
    func certificateLevelVerdictMatchesSDK(_ name: String) throws {
        let want = try #require(SharedVectors.verdicts[name]?.certificate_level_ok as Bool?)
        let got = try Self.verdict(name)
        #expect(got.ok == want, "\(name): SDK says \(want ? "valid" : "invalid"), matter-ca says \(got.ok ? "valid" : "invalid"): \(got.reasons)")
    }

    @Test(.enabled(if: SharedVectors.available, SharedVectors.skipReason))
    func everyCertificateVectorIsCovered() throws {
        let dirs = try FileManager.default.contentsOfDirectory(atPath: SharedVectors.commissionerDUT.path)
            .filter { $0.hasPrefix("struct_dac_") || $0.hasPrefix("struct_pai_") }
        #expect(Set(dirs) == Set(SharedVectors.certificateCases))
        #expect(dirs.count == 100)
        var disagreements: [String] = []
        for name in dirs.sorted() {
            let want = SharedVectors.verdicts[name]?.certificate_level_ok
            let got = try Self.verdict(name)
            if want != got.ok { disagreements.append("\(name): SDK \(String(describing: want)), matter-ca \(got.ok) \(got.reasons)") }
        }
        #expect(disagreements.isEmpty, "disagreements:\n\(disagreements.joined(separator: "\n"))")
    }
}

import Foundation
import Testing

/// The Matter SDK's revocation-set generator (`../shared/tools/sdk-revocation`, `generate_revocation_set.py` in
/// its local-data mode), run as an independent judge of published CRLs and DCL revocation points. scripts/test
/// installs it into `.venv-tools/sdk-revocation`.
public enum SDKRevocation {
    public static var judge: URL { SharedVectors.shared.appendingPathComponent("tools/sdk-revocation/judge.sh") }
    static var venv: URL {
        if let v = ProcessInfo.processInfo.environment["SDK_REVOCATION_VENV"] { return URL(fileURLWithPath: v) }
        return SharedVectors.packageRoot.appendingPathComponent(".venv-tools/sdk-revocation")
    }
    public static var installed: Bool {
        FileManager.default.isExecutableFile(atPath: venv.appendingPathComponent("bin/python").path) && FileManager.default.fileExists(atPath: judge.path)
    }
    public static let notInstalled: Comment = "sdk-revocation is not installed: run ../shared/tools/sdk-revocation/setup.sh with SDK_REVOCATION_VENV=.venv-tools/sdk-revocation (scripts/test does)"

    /// The set the SDK builds from DER CRLs, PAA certificates (PEM) and DCL points as `crl dcl-metadata --json`
    /// printed them; the DCL's query response carries every field, so the absent ones get the DCL's zero values.
    public static func revocationSet(crls: [URL], paas: [String], points: Data) throws -> (set: [[String: Any]], log: String) {
        let dir = try CLI.tempDirectory("sdk-revocation")
        defer { try? FileManager.default.removeItem(at: dir) }
        let crlDir = dir.appendingPathComponent("crls"), paaDir = dir.appendingPathComponent("paas")
        for d in [crlDir, paaDir] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        for c in crls { try FileManager.default.copyItem(at: c, to: crlDir.appendingPathComponent(c.lastPathComponent)) }
        for (i, pem) in paas.enumerated() { try Data(pem.utf8).write(to: paaDir.appendingPathComponent("paa-\(i).pem")) }
        var list = try JSONSerialization.jsonObject(with: points) as! [[String: Any]]
        for i in list.indices {
            for (k, v) in [("dataFileSize", "0" as Any), ("dataDigest", ""), ("dataDigestType", 0), ("crlSignerDelegator", "")] where list[i][k] == nil {
                list[i][k] = v
            }
        }
        let pointsFile = dir.appendingPathComponent("points.json")
        try JSONSerialization.data(withJSONObject: ["PkiRevocationDistributionPoint": list]).write(to: pointsFile)
        let r = try CLI.exec(judge.path, [crlDir.path, paaDir.path, pointsFile.path], environment: ["SDK_REVOCATION_VENV": venv.path])
        guard r.status == 0 || r.status == 1 else { throw TestHome.Failure(description: "sdk-revocation judge failed (\(r.status)): \(r.stderr.suffix(3000))") }
        return ((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]) ?? [], r.stderr)
    }
}

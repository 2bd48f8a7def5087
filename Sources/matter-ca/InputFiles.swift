import Crypto
import Foundation
import MatterPKI

/// Reading operator-supplied files: binary, or hex text when the file is hex.
enum InputFiles {
    static func bytes(_ path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIExit.unreadable("\(what) \(path): cannot read") }
        let bytes = Array(data)
        if let text = String(bytes: bytes, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
           !text.isEmpty, text.count % 2 == 0, text.allSatisfy(\.isHexDigit), let decoded = [UInt8](hex: text) {
            return decoded
        }
        return bytes
    }

    /// A VID or PID given on the command line ("FFF1", "0xFFF1").
    static func matterID<T: MatterID16>(_ s: String, _ flag: String) throws -> T {
        guard let v = T(hex: s) else { throw CLIExit.unreadable("\(flag) \(s) is not a 16-bit hex value") }
        return v
    }

    /// Any 16-bit value given in hex (version numbers, CD fields), with the same syntax as VIDs and PIDs.
    static func hex16(_ s: String, _ flag: String) throws -> UInt16 { (try matterID(s, flag) as VendorID).rawValue }

    /// A 32-bit value given in hex on the command line (device type IDs).
    static func hex32(_ s: String, _ flag: String) throws -> UInt32 {
        var t = Substring(s)
        if t.hasPrefix("0x") || t.hasPrefix("0X") { t = t.dropFirst(2) }
        guard !t.isEmpty, t.count <= 8, let v = UInt32(t, radix: 16) else { throw CLIExit.unreadable("\(flag) \(s) is not a 32-bit hex value") }
        return v
    }

    static func hex(_ s: String, what: String) throws -> [UInt8] {
        guard let b = [UInt8](hex: s), !b.isEmpty else { throw CLIExit.unreadable("\(what) \"\(s)\" is not hex") }
        return b
    }

    static func certificateDER(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIExit.unreadable("\(path): cannot read") }
        do { return try CertificateFile.derBytes(Array(data), name: path, label: "CERTIFICATE") } catch { throw CLIExit.unreadable(error.description) }
    }

    /// A P-256 private key, PEM (PKCS#8 or SEC1) or DER.
    static func privateKey(_ path: String) throws -> P256.Signing.PrivateKey {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIExit.unreadable("\(path): cannot read") }
        if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") {
            if let k = try? P256.Signing.PrivateKey(pemRepresentation: text) { return k }
            throw CLIExit.unreadable("\(path): not a P-256 private key (PEM)")
        }
        if let k = try? P256.Signing.PrivateKey(derRepresentation: data) { return k }
        if data.count == 32, let k = try? P256.Signing.PrivateKey(rawRepresentation: data) { return k }
        throw CLIExit.unreadable("\(path): not a P-256 private key (PKCS#8, SEC1 or raw 32-byte scalar)")
    }
}

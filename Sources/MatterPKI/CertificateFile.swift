import Foundation

/// Reading certificates from files or bytes, PEM or DER, with errors that say what was wrong.
public enum CertificateFile {
    public enum ReadError: Error, Equatable, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case empty(path: String)
        case pemWithoutCertificate(path: String)
        case pemUnterminated(path: String)
        case pemBadBase64(path: String)
        case malformed(path: String, CertificateParseError)

        public var description: String {
            switch self {
            case .unreadable(let p, let r): return "\(p): cannot read: \(r)"
            case .empty(let p): return "\(p): file is empty"
            case .pemWithoutCertificate(let p): return "\(p): PEM file holds no CERTIFICATE block"
            case .pemUnterminated(let p): return "\(p): PEM CERTIFICATE block is truncated (no END line)"
            case .pemBadBase64(let p): return "\(p): PEM CERTIFICATE block is not valid base64"
            case .malformed(let p, let e): return "\(p): \(e)"
            }
        }
    }

    public static func read(path: String) throws(ReadError) -> ParsedCertificate {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try parse(Array(data), name: path)
    }

    /// PEM (first CERTIFICATE block) or DER.
    public static func parse(_ bytes: [UInt8], name: String = "input") throws(ReadError) -> ParsedCertificate {
        guard !bytes.isEmpty else { throw .empty(path: name) }
        let der = try derBytes(bytes, name: name, label: "CERTIFICATE")
        do { return try ParsedCertificate(der: der) } catch let e as CertificateParseError {
            throw .malformed(path: name, e)
        } catch { throw .malformed(path: name, CertificateParseError("certificate", "\(error)")) }
    }

    /// DER from PEM (the first block with `label`) or the bytes themselves when they are not PEM.
    public static func derBytes(_ bytes: [UInt8], name: String, label: String) throws(ReadError) -> [UInt8] {
        guard let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN") else { return bytes }
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        guard let b = text.range(of: begin) else { throw .pemWithoutCertificate(path: name) }
        guard let e = text.range(of: end, range: b.upperBound..<text.endIndex) else { throw .pemUnterminated(path: name) }
        let body = text[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)), !der.isEmpty else { throw .pemBadBase64(path: name) }
        return Array(der)
    }

    public static func pem(_ der: [UInt8], label: String = "CERTIFICATE") -> String {
        let b64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(b64)\n-----END \(label)-----\n"
    }
}

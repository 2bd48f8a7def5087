import MatterPKI

/// Why a template file or a request is refused. Load-time cases come wrapped in `TemplateLoadError` with the
/// file and line; prepare-time cases are thrown as they are. Nothing is ever silently corrected.
public enum TemplateViolation: Error, Equatable, Sendable, CustomStringConvertible {
    // Loading
    case notAMapping
    case unknownKey(String)
    case missingKey(String)
    case wrongValueType(key: String, expected: String)
    case typeDoesNotMatchFile(declared: String, file: String)
    case unknownCertificateType(String)
    case lifetimeMustBeDaysOrNoExpiry
    case lifetimeDaysOutOfRange(Int)
    case serialLengthOutOfRange(Int)
    case unknownVIDPIDEncoding(String)
    case pathLengthContradictsProfile(CertificateType, Int?)
    case keyUsageContradictsProfile(CertificateType, [String])
    case crlDistributionPointNotHTTP(String)
    case commonNamePatternEmpty
    case unknownPlaceholder(String)
    case backdateOutOfRange(String)
    case crlNextUpdateOutOfRange(Int)
    case crlBaseURLInvalid(String)
    case crlPartitionSizeOutOfRange(Int)
    // Preparing a request
    case requestTypeMismatch(template: CertificateType, request: CertificateType)
    case vidRequired(CertificateType)
    case pidRequired(CertificateType)
    case paaMustNotHavePID
    case vidMustNotBeZero
    case pidMustNotBeZero
    case commonNameEmpty
    case commonNameTooLong(bytes: Int)
    case commonNameContainsVIDPIDPrefix(String)
    case notAfterBeyondYear9999
    case placeholderValueMissing(String)

    public var description: String {
        switch self {
        case .notAMapping: return "template must be a YAML mapping"
        case .unknownKey(let k): return "unknown key \"\(k)\""
        case .missingKey(let k): return "missing key \"\(k)\""
        case .wrongValueType(let k, let e): return "\"\(k)\" must be \(e)"
        case .typeDoesNotMatchFile(let d, let f): return "type \"\(d)\" does not match the file \(f)"
        case .unknownCertificateType(let t): return "unknown certificate type \"\(t)\" (paa, pai, dac or crl-signer)"
        case .lifetimeMustBeDaysOrNoExpiry: return "lifetime must give exactly one of \"days\" or \"no_well_defined_expiry: true\""
        case .lifetimeDaysOutOfRange(let d): return "lifetime of \(d) days is out of range (1 or more)"
        case .serialLengthOutOfRange(let n): return "serial_length \(n) is outside 8…20 octets"
        case .unknownVIDPIDEncoding(let e): return "vid_pid_encoding \"\(e)\" is neither \"attributes\" nor \"cn-fallback\""
        case .pathLengthContradictsProfile(let t, let p):
            let want = t == .paa ? "absent or 1" : t == .pai ? "0" : "absent"
            return "path_length \(p.map(String.init) ?? "absent") contradicts the Matter profile: a \(t) needs \(want)"
        case .keyUsageContradictsProfile(let t, let ku):
            let want = t == .dac ? "exactly [digitalSignature]" : t == .crlSigner ? "cRLSign, optionally digitalSignature" : "keyCertSign and cRLSign, optionally digitalSignature"
            return "key_usage \(ku) contradicts the Matter profile: a \(t) needs \(want)"
        case .crlDistributionPointNotHTTP(let u): return "crl_distribution_point \"\(u)\" must start with http:// or https://"
        case .commonNamePatternEmpty: return "common_name pattern is empty"
        case .unknownPlaceholder(let p): return "unknown placeholder {\(p)} (known: name, vid, pid, device_id)"
        case .backdateOutOfRange(let v): return "backdate_seconds \(v) must be 0…86400"
        case .crlNextUpdateOutOfRange(let d): return "next_update of \(d) days must be 1…3650"
        case .crlBaseURLInvalid(let r): return "base_url \(r)"
        case .crlPartitionSizeOutOfRange(let n): return "partition_size \(n) must be 0 (no partitions) or 1…1000000"
        case .requestTypeMismatch(let t, let r): return "template is for a \(t), the request is for a \(r)"
        case .vidRequired(let t): return "a \(t) must carry a VID"
        case .pidRequired(let t): return "a \(t) must carry a PID"
        case .paaMustNotHavePID: return "a PAA must not carry a PID"
        case .vidMustNotBeZero: return "VID 0x0000 is not a vendor"
        case .pidMustNotBeZero: return "PID 0x0000 is not a product"
        case .commonNameEmpty: return "the common name is empty"
        case .commonNameTooLong(let n): return "the common name is \(n) bytes; at most 64 (X.520 ub-common-name, and the SDK reads only the first 64)"
        case .commonNameContainsVIDPIDPrefix(let cn): return "the common name \"\(cn)\" contains Mvid:/Mpid: while VID/PID are encoded as attributes"
        case .notAfterBeyondYear9999: return "notAfter would fall after 9999-12-31T23:59:59Z; use no_well_defined_expiry"
        case .placeholderValueMissing(let p): return "the CN pattern needs {\(p)} but the request gives none"
        }
    }
}

/// A template file refused at load time: where, and why.
public struct TemplateLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let violation: TemplateViolation
    public var description: String { "\(file):\(line): \(violation)" }
}

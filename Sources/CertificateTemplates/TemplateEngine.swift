import Foundation
import MatterPKI

/// Turns a template and a request into a fully specified `CertificateSpec`, or refuses with a
/// `TemplateViolation`. It never adjusts a request to make it fit.
public enum TemplateEngine {
    public static let maxCommonNameBytes = 64

    public static func prepare(_ template: Template, _ request: CertificateRequest, now: Date = Date()) throws(TemplateViolation) -> CertificateSpec {
        guard template.type == request.type else { throw .requestTypeMismatch(template: template.type, request: request.type) }
        if let vid = request.vid, vid.rawValue == 0 { throw .vidMustNotBeZero }
        if let pid = request.pid, pid.rawValue == 0 { throw .pidMustNotBeZero }
        switch request.type {
        case .paa:
            if request.pid != nil { throw .paaMustNotHavePID }
        case .pai:
            if request.vid == nil { throw .vidRequired(.pai) }
        case .dac:
            if request.vid == nil { throw .vidRequired(.dac) }
            if request.pid == nil { throw .pidRequired(.dac) }
        case .crlSigner:
            break   // VID and PID are the issuer's (an issuer rule checks it on the exact bytes)
        }

        let cn = try expand(template.commonNamePattern, request)
        guard !cn.trimmingCharacters(in: .whitespaces).isEmpty else { throw .commonNameEmpty }
        if template.vidPidEncoding == .attributes && (cn.contains("Mvid:") || cn.contains("Mpid:")) {
            throw .commonNameContainsVIDPIDPrefix(cn)
        }

        let notBefore = Date(timeIntervalSince1970: (request.notBefore ?? now.addingTimeInterval(-TimeInterval(template.backdateSeconds)))
            .timeIntervalSince1970.rounded(.down))
        let expiry: CertificateSpec.Expiry
        switch template.lifetime {
        case .noWellDefinedExpiry: expiry = .noWellDefinedExpiration
        case .days(let days):
            // chip-cert: notAfter = notBefore + days − 1 s
            let end = notBefore.addingTimeInterval(TimeInterval(days) * 86400 - 1)
            guard end <= CertificateTime.noWellDefinedExpiration.date else { throw .notAfterBeyondYear9999 }
            expiry = .date(end)
        }

        let spec = CertificateSpec(type: request.type, commonName: cn, vid: request.vid, pid: request.pid,
                                   vidPidEncoding: template.vidPidEncoding, publicKey: request.publicKey,
                                   notBefore: notBefore, expiry: expiry, serialNumberLength: template.serialLength,
                                   paaPathLengthOne: template.paaPathLengthOne,
                                   crlDistributionPointURI: template.crlDistributionPointURI)
        var s = spec
        s.caDigitalSignature = template.caDigitalSignature
        let bytes = s.encodedCommonName.utf8.count
        guard bytes <= maxCommonNameBytes else { throw .commonNameTooLong(bytes: bytes) }
        return s
    }

    /// One pass over the pattern, each `{placeholder}` replaced by its value (a value is never expanded again).
    /// Foundation's replacingOccurrences, once per placeholder, was 1 % of an EST server's CPU (perf).
    static func expand(_ pattern: String, _ r: CertificateRequest) throws(TemplateViolation) -> String {
        var out = ""
        for part in TemplateLoader.parts(of: pattern) {
            switch part {
            case .text(let t): out += t
            case .placeholder(let p):
                let value: String?
                switch p {
                case "name": value = r.name
                case "vid": value = r.vid?.hex
                case "pid": value = r.pid?.hex
                case "device_id": value = r.deviceID
                default: throw .unknownPlaceholder(String(p))
                }
                guard let value, !value.isEmpty else { throw .placeholderValueMissing(String(p)) }
                out += value
            }
        }
        return out
    }
}

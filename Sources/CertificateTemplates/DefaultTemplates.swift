/// The repository's `Templates/*.yaml`, compiled in so that the CLI works from any directory.
/// `DefaultTemplatesTests` fails if these drift from the files.
public enum DefaultTemplates {
    public static let paa = #"""
# PAA (root) profile. Matter: cA TRUE, pathLen absent or 1, keyUsage keyCertSign+cRLSign, no PID.
type: paa
lifetime: { days: 7305 }          # about 20 years; or { no_well_defined_expiry: true }
common_name: "{name}"
vid_pid_encoding: attributes
serial_length: 16
path_length: 1
key_usage: [keyCertSign, cRLSign]
"""#
    public static let pai = #"""
# PAI (per vendor) profile. Matter: cA TRUE, pathLen 0, keyUsage keyCertSign+cRLSign, VID required, PID optional.
type: pai
lifetime: { days: 3653 }          # about 10 years
common_name: "{name}"
vid_pid_encoding: attributes
serial_length: 16
path_length: 0
key_usage: [keyCertSign, cRLSign]
"""#
    public static let dac = #"""
# DAC (per device) profile. Matter: cA FALSE, no pathLen, keyUsage exactly digitalSignature, VID and PID required.
# DACs live as long as the device: no well-defined expiry (notAfter 99991231235959Z), as the SDK test DACs.
type: dac
lifetime: { no_well_defined_expiry: true }
common_name: "{name}"
vid_pid_encoding: attributes
serial_length: 16
path_length: absent
key_usage: [digitalSignature]
extensions: {}                    # no CRL distribution point on DACs by default
"""#
}

import Foundation
import MatterPKI

extension TemplateLoader {
    /// `dir/{paa,pai,dac}.yaml` when a directory is given, else the compiled-in defaults.
    public static func loadOrDefault(directory: URL?) throws -> [CertificateType: Template] {
        if let directory { return try load(directory: directory) }
        return [
            .paa: try parse(DefaultTemplates.paa, file: "Templates/paa.yaml (built in)", expecting: .paa),
            .pai: try parse(DefaultTemplates.pai, file: "Templates/pai.yaml (built in)", expecting: .pai),
            .dac: try parse(DefaultTemplates.dac, file: "Templates/dac.yaml (built in)", expecting: .dac),
        ]
    }
}

import XenplanBasics
import XenplanYAML

/// An hvm guest's firmware and emulated devices: `firmware`, `bootOrder`, `cdrom`, `vnc`,
/// `serial`, `viridian`. Whether the domain is an hvm guest is only known once defaults
/// are applied: `LabAssembler` refuses them on pv and pvh guests.
extension ManifestDecoder {
    static let hvmKeys = ["firmware", "bootOrder", "cdrom", "vnc", "serial", "viridian"]
    /// `cdrom:` is one of these.
    static let cdromKeys = ["image", "path"]
    static let vncKeys = ["listen", "display"]

    func decodeHvm(_ fields: [String: NodeReader.Entry], into domain: inout DeclaredDomain, what: String) {
        domain.firmware = fields["firmware"].flatMap { reader.choice($0.value, for: "firmware of \(what)", as: HvmSpec.Firmware.self) }
        if let entry = fields["bootOrder"], let items = reader.list(entry.value, for: "bootOrder of \(what)") {
            var order: [HvmSpec.BootDevice] = []
            for item in items {
                guard let device = reader.choice(item, for: "an entry of bootOrder of \(what)", as: HvmSpec.BootDevice.self) else { continue }
                if order.contains(device.value) {
                    reader.report(.error("bootOrder of \(what) names \(device.value.rawValue) twice", at: device.location))
                } else {
                    order.append(device.value)
                }
            }
            domain.bootOrder = Declared(value: order, location: reader.location(entry.value))
        }
        if let entry = fields["cdrom"] { domain.cdrom = decodeCdrom(entry, of: what) }
        if let entry = fields["vnc"] { domain.vnc = decodeVnc(entry.value, of: what) }
        domain.serial = fields["serial"].flatMap { reader.choice($0.value, for: "serial of \(what)", as: HvmSpec.Serial.self) }
        domain.viridian = fields["viridian"].flatMap { reader.bool($0.value, for: "viridian of \(what)") }
    }

    /// `{image: NAME}` or `{path: /abs/file.iso}`: exactly one of them.
    private func decodeCdrom(_ entry: NodeReader.Entry, of what: String) -> DeclaredCdrom? {
        let field = "cdrom of \(what)"
        guard let fields = reader.object(entry.value, field, keys: Self.cdromKeys, at: entry.keyLocation) else { return nil }
        var cdrom = DeclaredCdrom(location: reader.location(entry.value))
        switch (fields["image"], fields["path"]) {
        case (nil, nil):
            reader.report(.error("\(field) needs image (an image of images:) or path (an ISO file on the host)", at: cdrom.location))
            return nil
        case let (_?, path?):
            reader.report(.error("\(field) has both image and path; write one of them", at: path.keyLocation))
            return nil
        case let (image?, nil):
            cdrom.image = reader.name(image.value, for: "image of \(field)")
        case let (nil, path?):
            cdrom.path = reader.path(path.value, for: "path of \(field)")
        }
        return cdrom.image == nil && cdrom.path == nil ? nil : cdrom
    }

    /// `true`, `false`, or `{listen: ADDRESS, display: N}`.
    private func decodeVnc(_ node: Node, of what: String) -> Declared<HvmSpec.Vnc?>? {
        let field = "vnc of \(what)"
        let at = reader.location(node)
        if case .scalar = node, !reader.isNull(node) {
            guard let on = reader.bool(node, for: field) else { return nil }
            return Declared(value: on.value ? HvmSpec.Vnc() : nil, location: at)
        }
        guard let fields = reader.object(node, field, keys: Self.vncKeys, at: at) else { return nil }
        var vnc = HvmSpec.Vnc()
        var valid = true
        if let entry = fields["listen"], let listen = reader.text(entry.value, for: "listen of \(field)", expected: "an IPv4 address") {
            if Syntax.isIPv4(listen.value) {
                vnc.listen = listen.value
            } else {
                reader.report(.error("listen \(shown(listen.value)) of \(field) is not an IPv4 address like 127.0.0.1", at: listen.location))
                valid = false
            }
        }
        if let entry = fields["display"] {
            let display = reader.int(entry.value, for: "display of \(field)", in: HvmSpec.Vnc.displays)
            vnc.display = display?.value
            valid = valid && display != nil
        }
        return valid ? Declared(value: vnc, location: at) : nil
    }
}

import XenplanBasics

/// The keys that only make sense for some guest types: `boot` for pv and pvh guests, the
/// firmware and emulated devices for hvm guests. The type is known only once defaults
/// are applied, so these are checked here rather than while decoding.
extension LabAssembler {
    /// The hvm keys written on `d`, in the order they are documented.
    static func hvmKeysWritten(_ d: DeclaredDomain) -> [(key: String, location: SourceLocation)] {
        ManifestDecoder.hvmKeys.compactMap { key in d.keys[key].map { (key, $0) } }
    }

    /// An hvm guest's firmware and devices as declared, with defaults: BIOS, xl's boot
    /// order, no CD-ROM (resolved later), VNC on the loopback, a serial pty.
    static func hvmSpec(_ d: DeclaredDomain) -> HvmSpec {
        HvmSpec(
            firmware: d.firmware?.value ?? .bios, bootOrder: d.bootOrder?.value ?? [],
            cdrom: d.cdrom?.path.map { HvmSpec.Cdrom(path: $0.value) },
            vnc: d.vnc.map(\.value) ?? HvmSpec.Vnc(), serial: d.serial?.value ?? .pty, viridian: d.viridian?.value ?? false)
    }

    /// `pygrub` on an hvm guest, `firmware` on a pv guest, a CD-ROM nobody can boot
    /// from…: every key that does not fit the guest's type, at the key.
    mutating func checkGuestType(_ d: ResolvedDomain) {
        let s = d.spec
        let what = "domain '\(s.name)'"
        let typeNote: [Diagnostic.Note] =
            d.origin["type"].map {
                [.init(d.origin.isInherited("type") ? "type comes from defaults here" : "type is \(s.type.rawValue) here", at: $0)]
            }
            ?? [.init("type is pv when not written", at: s.locations.object)]
        guard s.type == .hvm else {
            for (key, location) in Self.hvmKeysWritten(d.declared) {
                diagnostics.append(
                    .error(
                        "\(key) of \(what) is for hvm guests; \(s.name) is a \(s.type.rawValue) guest", at: location,
                        notes: typeNote))
            }
            return
        }
        // A boot from defaults is meant for the pv and pvh guests; an hvm guest's own is an error.
        if let boot = d.declared.boot {
            diagnostics.append(
                .error(
                    "boot of \(what) does not apply to an hvm guest, which boots from its firmware: write firmware (bios or uefi) and bootOrder instead",
                    at: boot.location, notes: typeNote))
        }
        if let order = d.declared.bootOrder, order.value.contains(.cdrom), d.declared.cdrom == nil {
            diagnostics.append(.error("bootOrder of \(what) names cdrom, but \(s.name) has no cdrom", at: order.location))
        }
        if d.declared.cdrom != nil {
            for disk in d.declared.disks ?? [] {
                guard let vdev = disk.vdev, ["hdc", "xvdc"].contains(vdev.value) else { continue }
                diagnostics.append(
                    .error(
                        "vdev \(vdev.value) of \(what) is where its CD-ROM drive is (hdc; xl gives hdc and xvdc one emulated slot): use another",
                        at: vdev.location, notes: [.init("cdrom is declared here", at: d.declared.cdrom?.location)]))
            }
        }
    }

    /// The path of an hvm guest's CD-ROM: its own, or that of the image named, which must
    /// be a raw file (an ISO) that the guest's host has.
    mutating func resolveCdrom(_ d: ResolvedDomain, host: HostSpec?) -> HvmSpec.Cdrom? {
        guard d.spec.type == .hvm, let cdrom = d.declared.cdrom else { return nil }
        if let path = cdrom.path { return HvmSpec.Cdrom(path: path.value) }
        guard let reference = cdrom.image else { return nil }
        let label = "cdrom of domain '\(d.spec.name)'"
        checkDiskImage(reference, of: label, host: host, hostAt: d.declared.host?.location, pool: nil, use: "holds")
        guard let image = images[reference.value], !unresolvedImages.contains(image.name) else { return nil }
        if image.format != .raw {
            diagnostics.append(
                .error(
                    "\(label) holds image '\(image.name)', a \(image.format.rawValue) file; a CD-ROM drive reads a raw ISO file",
                    at: reference.location, notes: [.init("image '\(image.name)' is declared here", at: image.locations.object)]))
        }
        return HvmSpec.Cdrom(path: image.path, image: image.name)
    }
}

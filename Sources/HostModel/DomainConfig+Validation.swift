import XenplanBasics

/// The rules that tie a configuration's guest type to how it boots and to the devices it
/// has, and the values of those devices: an HVM guest boots from its firmware and has an
/// emulated CD-ROM, display and serial port; a pv or pvh guest has none of them and
/// boots with pygrub, pvgrub or a kernel. Both the local driver and the agent check them.
extension DomainConfig {
    /// At most this many entries in the firmware's boot order: each device once.
    public static let maxBootOrder = Hvm.BootDevice.allCases.count

    /// The first value that breaks a rule: its field (`hvm.cdrom`, `nics[0].rate`) and why;
    /// nil when the configuration is coherent.
    public var guestProblem: (field: String, message: String)? {
        let hvmType = type == "hvm"
        switch boot {
        case .firmware:
            if !hvmType { return ("boot", "firmware boot is for hvm guests; this one is \(shownValue(type))") }
        case .pygrub, .pvgrub, .kernel:
            if hvmType { return ("boot", "an hvm guest boots from its firmware, not from \(Self.bootWord(boot))") }
        }
        if hvmType != (hvm != nil) {
            return (
                "hvm", hvmType ? "an hvm guest needs its firmware devices" : "only an hvm guest has firmware devices; this one is \(shownValue(type))"
            )
        }
        for (i, disk) in disks.enumerated() where !Syntax.isVdev(disk.vdev, hvm: hvmType) {
            return ("disks[\(i)].vdev", "\(shownValue(disk.vdev)) is not a device name for a \(type) guest (xvdX\(hvmType ? ", sdX or hdX" : ""))")
        }
        if let hvm, let (field, message) = hvm.problem(disks: disks) { return ("hvm.\(field)", message) }
        var vifnames: Set<String> = []
        for (i, nic) in nics.enumerated() {
            if let rate = nic.rate, !Syntax.isVifRate(rate) {
                return (
                    "nics[\(i)].rate", "\(shownValue(rate)) is not a rate like 10Mb/s (1 to 100000, then b, Kb, Mb, Gb, B, KB, MB or GB, then /s)"
                )
            }
            if let name = nic.vifname {
                guard Syntax.isVifName(name) else {
                    return (
                        "nics[\(i)].vifname",
                        "\(shownValue(name)) is not an interface name (1 to 15 of A-Z, a-z, 0-9, '.', '_', '-', not vif followed by a digit)"
                    )
                }
                guard vifnames.insert(name).inserted else { return ("nics[\(i)].vifname", "\(shownValue(name)) names two interfaces") }
            }
        }
        return nil
    }

    static func bootWord(_ boot: Boot) -> String {
        switch boot {
        case .pygrub: return "pygrub"
        case .pvgrub: return "pvgrub"
        case .kernel: return "a kernel"
        case let .firmware(firmware): return "firmware \(firmware.rawValue)"
        }
    }
}

extension DomainConfig.Hvm {
    /// The first device value that breaks a rule, given the guest's disks.
    func problem(disks: [DomainConfig.Disk]) -> (field: String, message: String)? {
        if bootOrder.count > DomainConfig.maxBootOrder || Set(bootOrder).count != bootOrder.count {
            return ("bootOrder", "each of disk, cdrom and network at most once")
        }
        if let cdrom {
            if Syntax.pathProblem(cdrom) != nil {
                return ("cdrom", "\(shownValue(cdrom)) is not an absolute path of safe characters without '..'")
            }
            // xl numbers hdc and xvdc as the same emulated IDE slot.
            if let clash = disks.first(where: { Self.idePosition($0.vdev) == Self.idePosition(Self.cdromVdev) }) {
                return ("cdrom", "the CD-ROM is \(Self.cdromVdev), where disk \(clash.vdev) already is")
            }
        }
        if let vnc {
            guard Syntax.isIPv4(vnc.listen) else { return ("vnc.listen", "\(shownValue(vnc.listen)) is not an IPv4 address") }
            if let display = vnc.display, !Vnc.displays.contains(display) {
                return ("vnc.display", "\(display) is outside \(Vnc.displays.lowerBound)–\(Vnc.displays.upperBound)")
            }
        }
        return nil
    }

    /// `c` for hdc and xvdc: the letter that numbers a disk's emulated IDE slot (sdX
    /// disks are on the emulated SCSI bus instead).
    static func idePosition(_ vdev: String) -> String? {
        for prefix in ["xvd", "hd"] where vdev.hasPrefix(prefix) {
            return String(vdev.dropFirst(prefix.count).prefix { $0.isLetter })
        }
        return nil
    }
}

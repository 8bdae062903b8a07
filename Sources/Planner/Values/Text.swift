import HostModel

/// Wording shared by summaries and notices.
enum Text {
    static func vcpus(_ n: Int) -> String { n == 1 ? "1 vCPU" : "\(n) vCPUs" }
    static func boot(_ b: DomainConfig.Boot) -> String {
        switch b {
        case .pygrub: return "pygrub"
        case .pvgrub: return "pvgrub"
        case let .kernel(kernel, _, _): return "kernel \(kernel)"
        case let .firmware(firmware): return "firmware \(firmware.rawValue)"
        }
    }

    /// `cdrom, disk`; `default` for xl's own order.
    static func bootOrder(_ order: [DomainConfig.Hvm.BootDevice]) -> String {
        order.isEmpty ? "default" : order.map(\.rawValue).joined(separator: ", ")
    }

    /// `127.0.0.1`, `0.0.0.0 display 3`, or `off`.
    static func vnc(_ vnc: DomainConfig.Hvm.Vnc?) -> String {
        guard let vnc else { return "off" }
        return vnc.listen + (vnc.display.map { " display \($0)" } ?? "")
    }

    /// An hvm guest's devices in one line: `boot order cdrom, disk; cdrom /srv/iso/x.iso; vnc 127.0.0.1; serial pty; viridian off`.
    static func hvm(_ hvm: DomainConfig.Hvm) -> String {
        [
            "boot order \(bootOrder(hvm.bootOrder))", "cdrom \(hvm.cdrom ?? "none")", "vnc \(vnc(hvm.vnc))",
            "serial \(hvm.serial.rawValue)", "viridian \(hvm.viridian ? "on" : "off")",
        ].joined(separator: "; ")
    }

    /// `a`, `a and b`, `a, b and c`.
    static func conjunction(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }
}

import HostModel
import Manifest

extension DomainConfig.Boot {
    /// How `d` boots: an hvm guest from its firmware, the others as declared.
    public static func declared(by d: DomainSpec) -> DomainConfig.Boot {
        if let hvm = d.hvm { return .firmware(hvm.firmware == .uefi ? .uefi : .bios) }
        switch d.boot {
        case .pygrub: return .pygrub
        case .pvgrub: return .pvgrub
        case let .kernel(kernel, ramdisk, cmdline): return .kernel(kernel: kernel, ramdisk: ramdisk, cmdline: cmdline)
        }
    }
}

extension DomainConfig.Hvm {
    /// An hvm guest's devices as its configuration holds them; nil for pv and pvh guests.
    public static func declared(by d: DomainSpec) -> DomainConfig.Hvm? {
        guard let hvm = d.hvm else { return nil }
        return DomainConfig.Hvm(
            bootOrder: hvm.bootOrder.compactMap { BootDevice(rawValue: $0.rawValue) }, cdrom: hvm.cdrom?.path,
            vnc: hvm.vnc.map { Vnc(listen: $0.listen, display: $0.display) }, serial: hvm.serial == .none ? .none : .pty,
            viridian: hvm.viridian)
    }
}

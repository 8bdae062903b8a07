import HostModel
import XenplanBasics

/// A value that cannot go into an xl configuration file or onto a command line.
public struct XlConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The xl configuration files xenplan owns (`/etc/xen/xenplan/<name>.cfg`): rendering a
/// `DomainConfig` deterministically, and parsing back exactly the subset written here.
///
/// Every value is validated against a strict character set before it is written, so no
/// manifest value can close a quote, start a new key, or smuggle a second disk or vif
/// option: xl's parser never sees anything but the values xenplan meant.
public enum XlConfig {
    /// First line of every file xenplan writes; a file without it is not xenplan's.
    public static let headerLine = "# Written by xenplan. Changes here are overwritten by the next apply."
    static let hashPrefix = "# xenplan-manifest-hash: "
    static let protectPrefix = "# xenplan-protect: "
    static let manifestFilePrefix = "# xenplan-manifest-file: "
    /// The identity summary of the seed disk (`DomainConfig.Seed.identity`), `key=value`
    /// words in key order. The seed disk itself is the last of `disk = [...]`: only a
    /// file with this line has one.
    static let seedPrefix = "# xenplan-seed: "

    // MARK: Validation

    /// Domain names as the manifests allow them.
    public static func validName(_ s: String) -> Bool { Syntax.isName(s) }

    /// Absolute paths made of safe characters only: no quote, comma, `=`, space, control
    /// character or `..` component.
    public static func validPath(_ s: String) -> Bool {
        guard s.hasPrefix("/"), s.utf8.count <= 1024 else { return false }
        guard s.unicodeScalars.allSatisfy({ isAlnum($0) || "/._-+:@".unicodeScalars.contains($0) }) else { return false }
        return !s.split(separator: "/").contains("..")
    }

    /// A file name with no separator, control character or quote: the manifest file named
    /// in a comment line.
    public static func validFileName(_ s: String) -> Bool {
        guard (1...255).contains(s.utf8.count), s != ".", s != ".." else { return false }
        return s.unicodeScalars.allSatisfy { isAlnum($0) || "._-+@".unicodeScalars.contains($0) }
    }

    public static func validVdev(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        guard scalars.count >= 3, scalars.count <= 12 else { return false }
        let prefixes = ["xvd", "hd", "sd"]
        guard let prefix = prefixes.first(where: { s.hasPrefix($0) }) else { return false }
        let rest = s.dropFirst(prefix.count)
        let letters = rest.prefix { $0 >= "a" && $0 <= "z" }
        let digits = rest.dropFirst(letters.count)
        return !letters.isEmpty && digits.allSatisfy(\.isASCIIDigit)
    }

    public static func validMAC(_ s: String) -> Bool { Syntax.normalisedMAC(s) != nil }

    public static func validIPv4(_ s: String) -> Bool { Syntax.isIPv4(s) }

    /// Linux interface names: 1–15 characters, no `/`, space or `:`.
    public static func validInterface(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 15 && s.unicodeScalars.allSatisfy { isAlnum($0) || "._-".unicodeScalars.contains($0) }
    }

    public static func validUUID(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        return groups == [8, 4, 4, 4, 12] && s.allSatisfy { $0 == "-" || ($0.isHexDigit && !$0.isUppercase) }
    }

    public static func validCmdline(_ s: String) -> Bool { Syntax.isCmdline(s) }

    static func validHash(_ s: String) -> Bool { s.utf8.count <= 128 && s.allSatisfy { $0.isHexDigit } }

    private static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }
    private static func isAlnum(_ c: Unicode.Scalar) -> Bool { isLowerAlnum(c) || ("A"..."Z").contains(c) }

    /// Every problem with `config`, each naming the key; empty when it can be written.
    public static func problems(_ c: DomainConfig) -> [String] {
        var p: [String] = []
        if !validName(c.name) { p.append("name '\(c.name)' is not a valid domain name") }
        if let uuid = c.uuid, !validUUID(uuid) { p.append("uuid '\(uuid)' is not a lower-case uuid") }
        if !["pv", "pvh", "hvm"].contains(c.type) { p.append("type '\(c.type)' is not pv, pvh or hvm") }
        for (key, size) in [("memory", c.memory), ("maxmem", c.maxmem)] where size.kib <= 0 || size.kib % 1024 != 0 {
            p.append("\(key) \(size) is not a whole number of MiB (xl counts memory in MiB)")
        }
        if c.memory > c.maxmem { p.append("memory \(c.memory) is above maxmem \(c.maxmem)") }
        if c.vcpus < 1 || c.vcpus > c.maxvcpus || c.maxvcpus > 512 { p.append("vcpus \(c.vcpus) / maxvcpus \(c.maxvcpus) out of range") }
        if !(1...65535).contains(c.cpuWeight) { p.append("cpu_weight \(c.cpuWeight) is outside 1–65535") }
        if !(0...51200).contains(c.cpuCap) { p.append("cap \(c.cpuCap) is outside 0–51200") }
        if let (field, message) = c.guestProblem { p.append("\(field): \(message)") }
        if case let .kernel(kernel, ramdisk, cmdline) = c.boot {
            if !validPath(kernel) { p.append("kernel '\(kernel)' is not a safe absolute path") }
            if let ramdisk, !validPath(ramdisk) { p.append("ramdisk '\(ramdisk)' is not a safe absolute path") }
            if let cmdline, !validCmdline(cmdline) { p.append("cmdline contains a quote, backslash or control character") }
        }
        for d in c.disks {
            if !validVdev(d.vdev) { p.append("disk vdev '\(d.vdev)' is not a device name like xvda2") }
            if !validPath(d.target) { p.append("disk target '\(d.target)' is not a safe absolute path") }
        }
        for n in c.nics {
            if !validInterface(n.bridge) { p.append("vif bridge '\(n.bridge)' is not an interface name") }
            if let mac = n.mac, !validMAC(mac) { p.append("vif mac '\(mac)' is not a MAC address") }
            if let ip = n.ip, !validIPv4(ip) { p.append("vif ip '\(ip)' is not an IPv4 address") }
        }
        if let seed = c.seed, let (field, message) = CloudInitSeed.problem(of: seed, in: c) { p.append("seed \(field): \(message)") }
        if !validHash(c.manifestHash) { p.append("manifest hash is not hexadecimal") }
        if let file = c.manifestFile, !validFileName(file) { p.append("manifest file name '\(file)' has characters a comment line cannot hold") }
        return p
    }

    // MARK: Rendering

    /// The file's text. Deterministic: the same configuration always gives the same bytes.
    public static func render(_ c: DomainConfig) throws(XlConfigError) -> String {
        let problems = problems(c)
        guard problems.isEmpty else {
            throw XlConfigError("domain \(c.name): cannot write its xl configuration: " + problems.joined(separator: "; "))
        }
        var lines = [headerLine, hashPrefix + c.manifestHash, protectPrefix + (c.protect ? "true" : "false")]
        if let file = c.manifestFile { lines.append(manifestFilePrefix + file) }
        if let seed = c.seed { lines.append(seedPrefix + seedSummary(seed.identity)) }
        lines.append("name = \"\(c.name)\"")
        if let uuid = c.uuid { lines.append("uuid = \"\(uuid)\"") }
        lines.append("type = \"\(c.type)\"")
        lines.append("memory = \(c.memory.kib / 1024)")
        lines.append("maxmem = \(c.maxmem.kib / 1024)")
        lines.append("vcpus = \(c.vcpus)")
        lines.append("maxvcpus = \(c.maxvcpus)")
        lines.append("cpu_weight = \(c.cpuWeight)")
        lines.append("cap = \(c.cpuCap)")
        switch c.boot {
        case .pygrub:
            lines.append("bootloader = \"pygrub\"")
        case .pvgrub:
            lines.append("kernel = \"\(pvgrubKernel(type: c.type))\"")
        case let .kernel(kernel, ramdisk, cmdline):
            lines.append("kernel = \"\(kernel)\"")
            if let ramdisk { lines.append("ramdisk = \"\(ramdisk)\"") }
            if let cmdline { lines.append("cmdline = \"\(cmdline)\"") }
        case let .firmware(firmware):
            lines.append("bios = \"\(biosName(firmware))\"")
        }
        if let hvm = c.hvm { lines += hvmLines(hvm) }
        let cdrom = c.hvm?.cdrom.map { [cdromSpec($0)] } ?? []
        lines.append(list("disk", c.disks.map(diskSpec) + cdrom + (c.seed.map { [diskSpec($0.disk)] } ?? [])))
        lines.append(list("vif", c.nics.map(vifSpec)))
        lines.append("on_poweroff = \"destroy\"")
        lines.append("on_reboot = \"restart\"")
        lines.append("on_crash = \"restart\"")
        return lines.joined(separator: "\n") + "\n"
    }

    /// GRUB built for Xen as Debian's grub-xen-host installs it: the 64-bit PV image, or
    /// the PVH one.
    public static func pvgrubKernel(type: String) -> String {
        type == "pvh" ? "/usr/lib/grub-xen/grub-i386-xen_pvh.bin" : "/usr/lib/grub-xen/grub-x86_64-xen.bin"
    }

    /// xl's `bios=` names: SeaBIOS, the BIOS of the qemu-xen device model, or OVMF for UEFI.
    static func biosName(_ firmware: DomainConfig.Firmware) -> String {
        switch firmware {
        case .bios: return "seabios"
        case .uefi: return "ovmf"
        }
    }

    /// The firmware's boot order, Hyper-V enlightenments, VNC display and serial port.
    static func hvmLines(_ hvm: DomainConfig.Hvm) -> [String] {
        var lines: [String] = []
        if !hvm.bootOrder.isEmpty { lines.append("boot = \"\(hvm.bootLetters)\"") }
        if hvm.viridian { lines.append("viridian = 1") }
        if let vnc = hvm.vnc {
            lines.append("vnc = 1")
            lines.append("vnclisten = \"\(vnc.listen)\"")
            if let display = vnc.display { lines.append("vncdisplay = \(display)") }
        } else {
            lines.append("vnc = 0")
        }
        lines.append("serial = \"\(hvm.serial.rawValue)\"")
        return lines
    }

    /// The emulated CD-ROM drive, read-only, holding `path`.
    public static func cdromSpec(_ path: String) -> String {
        "format=raw, vdev=\(DomainConfig.Hvm.cdromVdev), access=ro, devtype=cdrom, target=\(path)"
    }

    /// `hostname=www instance-id=… network=…`: the words of the seed line, in key order.
    static func seedSummary(_ identity: [String: String]) -> String {
        identity.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// xl's disk syntax (xl-disk-configuration): `target=` must come last.
    public static func diskSpec(_ d: DomainConfig.Disk) -> String {
        "format=raw, vdev=\(d.vdev), access=\(d.readOnly ? "ro" : "rw"), target=\(d.target)"
    }

    /// xl's vif syntax (xl-network-configuration).
    public static func vifSpec(_ n: DomainConfig.Nic) -> String {
        var parts = ["bridge=\(n.bridge)"]
        if let mac = n.mac { parts.append("mac=\(mac)") }
        if let ip = n.ip { parts.append("ip=\(ip)") }
        if let rate = n.rate { parts.append("rate=\(rate)") }
        if let vifname = n.vifname { parts.append("vifname=\(vifname)") }
        return parts.joined(separator: ",")
    }

    private static func list(_ key: String, _ items: [String]) -> String {
        if items.isEmpty { return "\(key) = []" }
        return "\(key) = [\n" + items.map { "    '\($0)',\n" }.joined() + "]"
    }
}

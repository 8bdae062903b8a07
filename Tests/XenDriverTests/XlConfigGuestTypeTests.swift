import HostModel
import Testing
import XenplanBasics

@testable import XenDriver

/// The configuration of each kind of guest, as exact text: pv with pygrub or a kernel,
/// pvh with a kernel or pvgrub, hvm with BIOS (with and without a CD-ROM) or UEFI; and
/// each read back as written, since observation compares the file with what it wants.
@Suite struct XlConfigGuestTypeTests {
    static let header = """
        # Written by xenplan. Changes here are overwritten by the next apply.
        # xenplan-manifest-hash: 0a1b2c
        # xenplan-protect: false

        """
    static let tail = """
        on_poweroff = "destroy"
        on_reboot = "restart"
        on_crash = "restart"

        """

    static func guest(
        _ name: String, type: String, boot: DomainConfig.Boot, vdev: String = "xvda", hvm: DomainConfig.Hvm? = nil,
        nic: DomainConfig.Nic = .init(bridge: "xenbr0", mac: "00:16:3e:00:00:01", ip: nil)
    ) -> DomainConfig {
        DomainConfig(
            name: name, type: type, memory: .mib(512), maxmem: .mib(1024), vcpus: 1, maxvcpus: 2, boot: boot,
            disks: [DomainConfig.Disk(vdev: vdev, target: "/dev/vg0/\(name)-root")], nics: [nic], hvm: hvm, manifestHash: "0a1b2c")
    }

    static func body(_ name: String, _ type: String, _ boot: [String], vdev: String = "xvda", disks extra: [String] = [], vif: String) -> String {
        ([
            "name = \"\(name)\"", "type = \"\(type)\"", "memory = 512", "maxmem = 1024", "vcpus = 1", "maxvcpus = 2",
            "cpu_weight = 256", "cap = 0",
        ] + boot + ["disk = [", "    'format=raw, vdev=\(vdev), access=rw, target=/dev/vg0/\(name)-root',"] + extra.map { "    '\($0)'," }
            + ["]", "vif = [", "    '\(vif)',", "]"]).joined(separator: "\n") + "\n"
    }

    static let cases: [(String, DomainConfig, String)] = [
        (
            "pv with pygrub",
            guest("pv-grub", type: "pv", boot: .pygrub),
            body("pv-grub", "pv", ["bootloader = \"pygrub\""], vif: "bridge=xenbr0,mac=00:16:3e:00:00:01")
        ),
        (
            "pv with a kernel, an interface with a rate and a dom0 name",
            guest(
                "pv-kernel", type: "pv", boot: .kernel(kernel: "/boot/vmlinuz", ramdisk: "/boot/initrd.img", cmdline: "root=/dev/xvda ro"),
                nic: .init(bridge: "xenbr0", mac: "00:16:3e:00:00:01", ip: "192.0.2.10", rate: "10Mb/s", vifname: "pvk-lan")),
            body(
                "pv-kernel", "pv", ["kernel = \"/boot/vmlinuz\"", "ramdisk = \"/boot/initrd.img\"", "cmdline = \"root=/dev/xvda ro\""],
                vif: "bridge=xenbr0,mac=00:16:3e:00:00:01,ip=192.0.2.10,rate=10Mb/s,vifname=pvk-lan")
        ),
        (
            "pvh with a kernel",
            guest("pvh-kernel", type: "pvh", boot: .kernel(kernel: "/boot/vmlinuz", ramdisk: nil, cmdline: "console=hvc0")),
            body("pvh-kernel", "pvh", ["kernel = \"/boot/vmlinuz\"", "cmdline = \"console=hvc0\""], vif: "bridge=xenbr0,mac=00:16:3e:00:00:01")
        ),
        (
            "pvh with pvgrub",
            guest("pvh-grub", type: "pvh", boot: .pvgrub),
            body("pvh-grub", "pvh", ["kernel = \"/usr/lib/grub-xen/grub-i386-xen_pvh.bin\""], vif: "bridge=xenbr0,mac=00:16:3e:00:00:01")
        ),
        (
            "hvm with BIOS, no CD-ROM: VNC on the loopback, a serial pty",
            guest("hvm-bios", type: "hvm", boot: .firmware(.bios), vdev: "hda", hvm: DomainConfig.Hvm()),
            body(
                "hvm-bios", "hvm", ["bios = \"seabios\"", "vnc = 1", "vnclisten = \"127.0.0.1\"", "serial = \"pty\""], vdev: "hda",
                vif: "bridge=xenbr0,mac=00:16:3e:00:00:01")
        ),
        (
            "hvm with BIOS booting its CD-ROM",
            guest(
                "hvm-cd", type: "hvm", boot: .firmware(.bios), vdev: "hda",
                hvm: DomainConfig.Hvm(bootOrder: [.cdrom, .disk, .network], cdrom: "/srv/iso/debian-12.iso")),
            body(
                "hvm-cd", "hvm", ["bios = \"seabios\"", "boot = \"dcn\"", "vnc = 1", "vnclisten = \"127.0.0.1\"", "serial = \"pty\""],
                vdev: "hda", disks: ["format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/srv/iso/debian-12.iso"],
                vif: "bridge=xenbr0,mac=00:16:3e:00:00:01")
        ),
        (
            "hvm with UEFI for Windows: viridian, a VNC display of its own, no serial port",
            guest(
                "hvm-win", type: "hvm", boot: .firmware(.uefi), vdev: "sda",
                hvm: DomainConfig.Hvm(vnc: .init(listen: "192.0.2.1", display: 7), serial: .none, viridian: true)),
            body(
                "hvm-win", "hvm",
                ["bios = \"ovmf\"", "viridian = 1", "vnc = 1", "vnclisten = \"192.0.2.1\"", "vncdisplay = 7", "serial = \"none\""],
                vdev: "sda", vif: "bridge=xenbr0,mac=00:16:3e:00:00:01")
        ),
        (
            "hvm without a display",
            guest("hvm-headless", type: "hvm", boot: .firmware(.bios), hvm: DomainConfig.Hvm(vnc: nil)),
            body(
                "hvm-headless", "hvm", ["bios = \"seabios\"", "vnc = 0", "serial = \"pty\""], vif: "bridge=xenbr0,mac=00:16:3e:00:00:01")
        ),
    ]

    @Test(arguments: cases.indices)
    func theFileOfEachKindOfGuest(_ i: Int) throws {
        let (what, config, body) = Self.cases[i]
        #expect(try XlConfig.render(config) == Self.header + body + Self.tail, "\(what)")
    }

    @Test(arguments: cases.indices)
    func eachKindIsReadBackAsWritten(_ i: Int) throws {
        var (what, config, _) = Self.cases[i]
        config.autostart = false
        #expect(try XlConfig.parse(try XlConfig.render(config)) == config, "\(what)")
    }

    /// A seed disk stays last and is told from the CD-ROM.
    @Test func aSeededHvmGuestWithACdromReadsBack() throws {
        var config = Self.guest(
            "hvm-seed", type: "hvm", boot: .firmware(.bios), vdev: "hda", hvm: DomainConfig.Hvm(cdrom: "/srv/iso/tools.iso"))
        config.seed = DomainConfig.Seed(target: CloudInitSeed.path(domain: "hvm-seed"), identity: ["hostname": "hvm-seed"])
        config.autostart = false
        let text = try XlConfig.render(config)
        #expect(text.contains("devtype=cdrom, target=/srv/iso/tools.iso',\n    'format=raw, vdev=xvdz, access=ro, target="))
        #expect(try XlConfig.parse(text) == config)
    }

    /// What xl could not start, or would start as something else, is never written.
    @Test(arguments: [
        (guest("a", type: "hvm", boot: .pygrub, hvm: DomainConfig.Hvm()), "boot: an hvm guest boots from its firmware, not from pygrub"),
        (
            guest("a", type: "hvm", boot: .kernel(kernel: "/boot/vmlinuz", ramdisk: nil, cmdline: nil), hvm: DomainConfig.Hvm()),
            "boot: an hvm guest boots from its firmware, not from a kernel"
        ),
        (guest("a", type: "hvm", boot: .pvgrub, hvm: DomainConfig.Hvm()), "boot: an hvm guest boots from its firmware, not from pvgrub"),
        (guest("a", type: "pv", boot: .firmware(.uefi)), "boot: firmware boot is for hvm guests; this one is 'pv'"),
        (guest("a", type: "hvm", boot: .firmware(.bios)), "hvm: an hvm guest needs its firmware devices"),
        (
            guest("a", type: "pvh", boot: .pvgrub, hvm: DomainConfig.Hvm(cdrom: "/srv/x.iso")),
            "hvm: only an hvm guest has firmware devices; this one is 'pvh'"
        ),
        (guest("a", type: "pvh", boot: .pygrub, vdev: "sda"), "disks[0].vdev: 'sda' is not a device name for a pvh guest (xvdX)"),
        (
            guest("a", type: "hvm", boot: .firmware(.bios), vdev: "xvdc", hvm: DomainConfig.Hvm(cdrom: "/srv/x.iso")),
            "hvm.cdrom: the CD-ROM is hdc, where disk xvdc already is"
        ),
        (
            guest("a", type: "hvm", boot: .firmware(.bios), hvm: DomainConfig.Hvm(cdrom: "/srv/../etc/shadow")),
            "hvm.cdrom: '/srv/../etc/shadow' is not an absolute path of safe characters without '..'"
        ),
        (
            guest("a", type: "hvm", boot: .firmware(.bios), hvm: DomainConfig.Hvm(bootOrder: [.disk, .disk])),
            "hvm.bootOrder: each of disk, cdrom and network at most once"
        ),
        (
            guest("a", type: "hvm", boot: .firmware(.bios), hvm: DomainConfig.Hvm(vnc: .init(listen: "0.0.0.0\nvnc=0"))),
            "hvm.vnc.listen: '0.0.0.0\\nvnc=0' is not an IPv4 address"
        ),
        (
            guest("a", type: "hvm", boot: .firmware(.bios), hvm: DomainConfig.Hvm(vnc: .init(display: 100))),
            "hvm.vnc.display: 100 is outside 0–99"
        ),
        (
            guest("a", type: "pv", boot: .pygrub, nic: .init(bridge: "xenbr0", mac: nil, ip: nil, rate: "10M")),
            "nics[0].rate: '10M' is not a rate like 10Mb/s (1 to 100000, then b, Kb, Mb, Gb, B, KB, MB or GB, then /s)"
        ),
        (
            guest("a", type: "pv", boot: .pygrub, nic: .init(bridge: "xenbr0", mac: nil, ip: nil, vifname: "vif1.0")),
            "nics[0].vifname: 'vif1.0' is not an interface name (1 to 15 of A-Z, a-z, 0-9, '.', '_', '-', not vif followed by a digit)"
        ),
    ])
    func anIncoherentGuestIsNotWritten(_ config: DomainConfig, _ problem: String) {
        #expect(XlConfig.problems(config) == [problem])
        #expect(throws: XlConfigError.self) { try XlConfig.render(config) }
    }

    @Test func twoInterfacesCannotShareADom0Name() {
        var config = Self.guest("a", type: "pv", boot: .pygrub, nic: .init(bridge: "xenbr0", mac: nil, ip: nil, vifname: "lan"))
        config.nics.append(.init(bridge: "xenbr1", mac: nil, ip: nil, vifname: "lan"))
        #expect(XlConfig.problems(config) == ["nics[1].vifname: 'lan' names two interfaces"])
    }

    /// xl's boot letters, both ways.
    @Test func bootLetters() {
        #expect(DomainConfig.Hvm(bootOrder: [.network, .cdrom, .disk]).bootLetters == "ndc")
        #expect("ndc".map { DomainConfig.Hvm.BootDevice(letter: $0) } == [.network, .cdrom, .disk])
        #expect(DomainConfig.Hvm.BootDevice(letter: "a") == nil)
    }

    /// The rule every interface rate meets, in xl's own units.
    @Test(arguments: [
        ("10Mb/s", true), ("1b/s", true), ("100000GB/s", true), ("512Kb/s", true), ("5MB/s", true),
        ("0Mb/s", false), ("010Mb/s", false), ("100001Mb/s", false), ("1000000GB/s", false), ("10M", false), ("10Mb", false), ("10mb/s", false),
        ("10Mb/s@20ms", false), ("10 Mb/s", false), ("Mb/s", false), ("-1Mb/s", false), ("10Mb/s,script=x", false),
    ])
    func rates(_ text: String, _ accepted: Bool) {
        #expect(Syntax.isVifRate(text) == accepted, "\(text)")
    }
}

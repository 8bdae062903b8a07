import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// The configuration files of examples/lab's domains, as the planner would resolve them
/// (a disk without a pool goes to its host's first pool: vg18 on cpt18, vg76 on cpt76).
enum ExampleLab {
    static let hash = "5872815b3c5492a8"

    static func domain(
        _ name: String, _ memory: ByteSize, _ maxmem: ByteSize? = nil, vcpus: Int = 1, maxvcpus: Int? = nil,
        weight: Int = 256, disks: [(String, String, String)], ip: String, mac: String,
        protect: Bool = false
    ) -> DomainConfig {
        DomainConfig(
            name: name, memory: memory, maxmem: maxmem ?? memory, vcpus: vcpus, maxvcpus: maxvcpus ?? vcpus,
            cpuWeight: weight, boot: .pygrub,
            disks: disks.map { DomainConfig.Disk(vdev: $0.1, target: "/dev/\($0.2)/\(name)-\($0.0)") },
            nics: [DomainConfig.Nic(bridge: "xenbr0", mac: mac, ip: ip)], protect: protect, manifestHash: hash)
    }

    static let configs: [DomainConfig] = [
        domain(
            "ns1", .mib(256), .mib(512), maxvcpus: 2, weight: 512, disks: [("root", "xvda2", "san"), ("swap", "xvda1", "san")],
            ip: "139.124.7.10", mac: "00:16:3e:78:20:10", protect: true),
        domain(
            "ns2", .mib(256), .mib(512), maxvcpus: 2, weight: 512, disks: [("root", "xvda2", "san"), ("swap", "xvda1", "san")],
            ip: "139.124.7.11", mac: "00:16:3e:78:20:11", protect: true),
        domain(
            "ldap", .mib(512), .gib(1), maxvcpus: 2, disks: [("root", "xvda2", "san"), ("swap", "xvda1", "san")],
            ip: "139.124.7.12", mac: "00:16:3e:78:20:12", protect: true),
        domain(
            "proxy", .mib(512), .gib(1), disks: [("root", "xvda2", "vg76"), ("cache", "xvdb", "vg76")],
            ip: "139.124.7.30", mac: "00:16:3e:78:20:30"),
        domain("print", .mib(256), disks: [("root", "xvda2", "vg76")], ip: "139.124.7.40", mac: "00:16:3e:78:20:40"),
        domain(
            "nagios", .mib(512), .gib(1), vcpus: 2, maxvcpus: 2, disks: [("root", "xvda2", "vg18")],
            ip: "139.124.7.50", mac: "00:16:3e:78:20:50"),
        domain("ocs", .gib(1), disks: [("root", "xvda2", "vg18")], ip: "139.124.7.51", mac: "00:16:3e:78:20:51"),
        domain("teach1", .gib(1), vcpus: 2, disks: [("root", "xvda2", "san")], ip: "139.124.7.101", mac: "00:16:3e:78:21:01"),
        domain("teach2", .gib(1), vcpus: 2, disks: [("root", "xvda2", "san")], ip: "139.124.7.102", mac: "00:16:3e:78:21:02"),
        domain("teach3", .gib(1), vcpus: 2, disks: [("root", "xvda2", "san")], ip: "139.124.7.103", mac: "00:16:3e:78:21:03"),
        domain(
            "www", .gib(1), .gib(2), vcpus: 2, maxvcpus: 4, weight: 512, disks: [("root", "xvda2", "vg18"), ("swap", "xvda1", "vg18")],
            ip: "139.124.7.20", mac: "00:16:3e:78:20:20"),
        domain(
            "git", .gib(1), .gib(2), vcpus: 2, maxvcpus: 2, disks: [("root", "xvda2", "san"), ("repos", "xvdb", "san")],
            ip: "139.124.7.21", mac: "00:16:3e:78:20:22"),
        domain("conf-web", .mib(512), .gib(1), disks: [("root", "xvda2", "vg76")], ip: "139.124.7.60", mac: "00:16:3e:78:20:60"),
        domain(
            "team-git", .mib(512), .gib(1), disks: [("root", "xvda2", "vg76"), ("repos", "xvdb", "vg76")],
            ip: "139.124.7.61", mac: "00:16:3e:78:20:61"),
        domain(
            "origami", .mib(128), disks: [("root", "xvda2", "vg18"), ("swap", "xvda1", "vg18")],
            ip: "139.124.7.164", mac: "00:16:3e:78:20:21"),
    ]
}

@Suite struct XlConfigTests {
    /// Golden files: any change to what a dom0 would receive shows up as a diff here.
    @Test(arguments: ExampleLab.configs.map(\.name))
    func goldenConfiguration(_ name: String) throws {
        let config = try #require(ExampleLab.configs.first { $0.name == name })
        let text = try XlConfig.render(config)
        let golden = try Snapshot.expected(text, at: Fixtures.url("xlcfg/\(name).cfg"))
        #expect(text == golden, "xlcfg/\(name).cfg differs; RECORD_SNAPSHOTS=1 rewrites it")
    }

    @Test(arguments: ExampleLab.configs.map(\.name))
    func parsesBackWhatItWrote(_ name: String) throws {
        var config = try #require(ExampleLab.configs.first { $0.name == name })
        config.autostart = false  // the auto link, not the file, says this
        #expect(try XlConfig.parse(try XlConfig.render(config)) == config)
    }

    @Test func kernelBootAndReadOnlyDisks() throws {
        let config = DomainConfig(
            name: "rescue", uuid: "0a0b0c0d-0e0f-1011-1213-141516171819", type: "pvh", memory: .mib(384), maxmem: .mib(768),
            vcpus: 1, maxvcpus: 1, cpuCap: 25,
            boot: .kernel(
                kernel: "/boot/vmlinuz-6.1.0-21-amd64", ramdisk: "/boot/initrd.img-6.1.0-21-amd64",
                cmdline: "root=/dev/xvda2 ro console=hvc0"),
            disks: [.init(vdev: "xvda", target: "/srv/xen-images/rescue.iso", readOnly: true)],
            nics: [.init(bridge: "xenbr1", mac: nil, ip: nil)], autostart: false, manifestHash: "00ff")
        let text = try XlConfig.render(config)
        #expect(text.contains("kernel = \"/boot/vmlinuz-6.1.0-21-amd64\"\n"))
        #expect(text.contains("    'format=raw, vdev=xvda, access=ro, target=/srv/xen-images/rescue.iso',\n"))
        #expect(text.contains("    'bridge=xenbr1',\n"))
        #expect(try XlConfig.parse(text) == config)
    }

    @Test func parsesTheOlderDiskSyntax() throws {
        #expect(try XlConfig.parseDisk("phy:/dev/vg18/www-root,xvda2,w", file: "f") == .init(vdev: "xvda2", target: "/dev/vg18/www-root"))
        #expect(try XlConfig.parseDisk("file:/srv/a.iso,hdc:cdrom,r", file: "f").readOnly)
    }

    /// Values that would break out of their quotes or add an option are refused, each
    /// with the key it concerns; nothing is written.
    static func hostile(_ i: Int) -> (key: String, config: DomainConfig) {
        var c = ExampleLab.configs[0]
        switch i {
        case 0: c.name = "ns1\"\nkernel = \"/tmp/evil"; return ("name", c)
        case 1: c.disks[0].target = "/dev/vg/x', 'target=/etc/shadow"; return ("disk target", c)
        case 2: c.disks[0].target = "/dev/../etc/shadow"; return ("disk target", c)
        case 3: c.disks[0].vdev = "xvda,access=rw"; return ("disk vdev", c)
        case 4: c.nics[0].mac = "00:16:3e:78:20:10,script=/tmp/x"; return ("vif mac", c)
        case 5: c.nics[0].ip = "10.0.0.1 script=/tmp/x"; return ("vif ip", c)
        case 6: c.nics[0].bridge = "br0,script=x"; return ("vif bridge", c)
        case 7: c.boot = .kernel(kernel: "/boot/k", ramdisk: nil, cmdline: "ro\" bootloader=\"/tmp/x"); return ("cmdline", c)
        case 8: c.memory = ByteSize(kib: 1000); return ("memory", c)
        default: c.cpuWeight = 0; return ("cpu_weight", c)
        }
    }

    /// Values that would break out of their quotes or add an option are refused, each
    /// with the key it concerns; nothing is written.
    @Test(arguments: 0..<10)
    func hostileValuesAreRefused(_ i: Int) {
        let (key, config) = Self.hostile(i)
        #expect { try XlConfig.render(config) } throws: { error in
            (error as? XlConfigError)?.message.contains(key) == true
        }
    }

    @Test func aFileNotWrittenByXenplanIsRefused() {
        #expect(throws: XlConfigError.self) { try XlConfig.parse("name = \"x\"\nmemory = 256\n") }
    }
}

/// The seed disk in the configuration file: the last disk, with its identity summary on a
/// comment line, read back exactly; a disk that merely points at the seed path is a disk.
@Suite struct XlConfigSeedTests {
    static var seeded: DomainConfig {
        var config = ExampleLab.configs.first { $0.name == "conf-web" }!
        config.seed = DomainConfig.Seed(target: CloudInitSeed.path(domain: "conf-web"), identity: SeedFileTests.web.identitySummary)
        return config
    }

    @Test func goldenConfigurationWithASeed() throws {
        let text = try XlConfig.render(Self.seeded)
        let golden = try Snapshot.expected(text, at: Fixtures.url("xlcfg/conf-web-seeded.cfg"))
        #expect(text == golden, "xlcfg/conf-web-seeded.cfg differs; RECORD_SNAPSHOTS=1 rewrites it")
    }

    @Test func theSeedIsReadBackExactly() throws {
        var config = Self.seeded
        config.autostart = false
        #expect(try XlConfig.parse(try XlConfig.render(config)) == config)
    }

    static let handMade = """
        # Written by xenplan. Changes here are overwritten by the next apply.
        # xenplan-manifest-hash: 00ff
        # xenplan-protect: false
        name = "conf-web"
        memory = 512
        disk = [
            'format=raw, vdev=xvda2, access=rw, target=/dev/vg76/conf-web-root',
            'format=raw, vdev=xvdz, access=ro, target=/var/lib/xenplan/seed/conf-web.iso',
        ]

        """

    @Test func aDiskAtTheSeedPathWithoutTheSeedLineIsADisk() throws {
        let config = try XlConfig.parse(Self.handMade)
        #expect(config.seed == nil)
        #expect(
            config.disks == [
                .init(vdev: "xvda2", target: "/dev/vg76/conf-web-root"),
                .init(vdev: "xvdz", target: "/var/lib/xenplan/seed/conf-web.iso", readOnly: true),
            ])
    }

    static let seedLine = "# xenplan-seed: hostname=conf-web instance-id=conf-web-0001 network=56c74529 password=none ssh-keys=none\n"

    @Test func theSeedLineMakesTheLastDiskTheSeed() throws {
        let config = try XlConfig.parse(Self.seedLine + Self.handMade)
        #expect(
            config.seed
                == DomainConfig.Seed(
                    vdev: "xvdz", target: "/var/lib/xenplan/seed/conf-web.iso",
                    identity: [
                        "hostname": "conf-web", "instance-id": "conf-web-0001", "network": "56c74529", "password": "none", "ssh-keys": "none",
                    ]))
        #expect(config.disks == [.init(vdev: "xvda2", target: "/dev/vg76/conf-web-root")])
    }

    @Test func theSeedLineWithAnotherDiskLastIsNoSeed() throws {
        let text =
            Self.seedLine
            + Self.handMade.replacingOccurrences(
                of: "conf-web.iso',\n]", with: "conf-web.iso',\n    'format=raw, vdev=xvdb, access=rw, target=/dev/vg76/conf-web-data',\n]")
        let config = try XlConfig.parse(text)
        #expect(config.seed == nil)
        #expect(config.disks.map(\.vdev) == ["xvda2", "xvdz", "xvdb"])
    }

    /// A line whose words are not the written subset is no seed line.
    @Test func aSeedLineOfOtherWordsIsNoSeed() throws {
        #expect(try XlConfig.parse("# xenplan-seed: hostname=conf-web password\n" + Self.handMade).seed == nil)
        #expect(try XlConfig.parse("# xenplan-seed: hostname=a hostname=b\n" + Self.handMade).seed == nil)
        #expect(try XlConfig.parse("# xenplan-seed: hostname=\"a\"\n" + Self.handMade).seed == nil)
    }

    @Test(arguments: [
        (
            DomainConfig.Seed(target: "/var/lib/xenplan/seed/other.iso", identity: ["hostname": "x"]),
            "seed target: '/var/lib/xenplan/seed/other.iso' is not /var/lib/xenplan/seed/conf-web.iso"
        ),
        (
            DomainConfig.Seed(vdev: "xvda2", target: "/var/lib/xenplan/seed/conf-web.iso", identity: ["hostname": "x"]),
            "seed vdev: xvda2 is also a declared disk's"
        ),
        (
            DomainConfig.Seed(vdev: "xvdz,script=/x", target: "/var/lib/xenplan/seed/conf-web.iso", identity: ["hostname": "x"]),
            "seed vdev: 'xvdz,script=/x' is not a virtual device name like xvdz"
        ),
        (
            DomainConfig.Seed(target: "/var/lib/xenplan/seed/conf-web.iso", identity: ["hostname": "x y"]),
            "seed identity: 'hostname': 'x y' is not a word of 1 to 253 of A-Z, a-z, 0-9, '.', '_', ':', '@', '+', '-' under a key of 1 to 32 of a-z, 0-9, '-'"
        ),
        (
            DomainConfig.Seed(target: "/var/lib/xenplan/seed/conf-web.iso", identity: [:]),
            "seed identity: 1 to 16 entries, not 0"
        ),
    ])
    func aSeedThatCannotBeWrittenIsRefused(_ seed: DomainConfig.Seed, _ problem: String) {
        var config = Self.seeded
        config.seed = seed
        #expect(XlConfig.problems(config) == [problem])
        #expect(throws: XlConfigError.self) { try XlConfig.render(config) }
    }
}

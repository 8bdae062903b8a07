import HostModel
import Testing
import XenplanBasics

@testable import Planner

/// A configuration write says what it changes, field by field.
@Suite struct ConfigChangesTests {
    static let old = DomainConfig(
        name: "www", memory: .mib(512), maxmem: .gib(1), vcpus: 1, maxvcpus: 2,
        disks: [DomainConfig.Disk(vdev: "xvda", target: "/dev/vg/www-root"), DomainConfig.Disk(vdev: "xvdb", target: "/dev/vg/www-data")],
        nics: [DomainConfig.Nic(bridge: "xenbr0", mac: "00:16:3e:00:00:01", ip: "10.0.0.1")], manifestHash: "aaaa")

    @Test func everyFieldThatDiffersIsNamed() {
        var new = Self.old
        new.maxmem = .gib(2)
        new.cpuWeight = 512
        new.disks = [
            DomainConfig.Disk(vdev: "xvda", target: "/dev/vg/www-root", readOnly: true), DomainConfig.Disk(vdev: "xvdc", target: "/dev/vg/www-logs"),
        ]
        new.nics = [
            DomainConfig.Nic(bridge: "xenbr1", mac: "00:16:3e:00:00:01", ip: "10.0.0.1"),
            DomainConfig.Nic(bridge: "xenbr0", mac: "00:16:3e:00:00:02", ip: nil),
        ]
        new.protect = true
        new.manifestHash = "bbbb"
        #expect(
            ConfigChanges.between(Self.old, new) == [
                "maxmem 1 GiB → 2 GiB", "cpu weight 256 → 512", "disk xvda read-only", "disk xvdb removed",
                "disk xvdc added (/dev/vg/www-logs)", "vif 00:16:3e:00:00:01 bridge xenbr0 → xenbr1",
                "vif 00:16:3e:00:00:02 added on xenbr0", "protect off → on",
            ])
        #expect(
            ConfigChanges.summary(from: Self.old, to: new).hasPrefix("update xenplan's configuration: maxmem 1 GiB → 2 GiB, cpu weight"))
    }

    @Test func bookkeepingAloneIsSaidToBeSo() {
        var new = Self.old
        new.manifestHash = "bbbb"
        new.uuid = "0b0e6b43-6f4b-4b8a-9d3a-2c1a8f8e0d11"
        #expect(ConfigChanges.between(Self.old, new) == [])
        #expect(ConfigChanges.summary(from: Self.old, to: new) == "update xenplan's configuration (the manifests' hash and file only)")
        #expect(ConfigChanges.summary(from: Self.old, to: new, newFile: true) == "write xenplan's configuration")
        #expect(ConfigChanges.summary(from: nil, to: new) == "write xenplan's configuration")
    }

    /// An interface whose MAC the manifests leave to Xen matches the one at its position.
    @Test func anInterfaceWithoutMACMatchesByPosition() {
        var new = Self.old
        new.nics = [DomainConfig.Nic(bridge: "xenbr0", mac: nil, ip: "10.0.0.2")]
        #expect(ConfigChanges.between(Self.old, new) == ["vif 00:16:3e:00:00:01 ip 10.0.0.1 → 10.0.0.2"])
        new.nics = []
        #expect(ConfigChanges.between(Self.old, new) == ["vif 00:16:3e:00:00:01 removed"])
    }
}

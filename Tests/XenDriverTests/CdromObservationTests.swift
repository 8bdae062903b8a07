import HostModel
import Testing

@testable import XenDriver

/// xenstore shows an hvm guest's CD-ROM among its block devices; xenplan keeps it as a
/// firmware device of the configuration, so it never appears as a disk to detach.
@Suite struct CdromObservationTests {
    static let running = DomainState(
        name: "desk", domid: 7, uuid: "0a0b0c0d-0e0f-1011-1213-141516171819", memoryTarget: .gib(1), memoryStaticMax: .gib(1),
        memoryActual: .gib(1), vcpusOnline: 1, maxVcpus: 1, type: "hvm",
        disks: [
            DiskState(vdev: "hda", target: "/dev/vg18/desk-root", readOnly: false),
            DiskState(vdev: "hdc", target: "/srv/iso/debian-12.iso", readOnly: true),
        ])

    static func config(cdrom: String?) -> DomainConfig {
        DomainConfig(
            name: "desk", type: "hvm", memory: .gib(1), maxmem: .gib(1), vcpus: 1, maxvcpus: 1, boot: .firmware(.bios),
            hvm: DomainConfig.Hvm(cdrom: cdrom))
    }

    @Test func theCdromOfAConfigurationIsNotADisk() {
        let seen = XenDriver.withoutCdrom(Self.running, configs: [Self.config(cdrom: "/srv/iso/other.iso")])
        #expect(seen.disks.map(\.vdev) == ["hda"], "a CD-ROM changed in the file but not yet in the guest is still its CD-ROM")
    }

    @Test func withoutACdromInItsConfigurationHdcIsADisk() {
        #expect(XenDriver.withoutCdrom(Self.running, configs: [Self.config(cdrom: nil)]).disks.count == 2)
        #expect(XenDriver.withoutCdrom(Self.running, configs: []).disks.count == 2)
    }
}

import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// Every refusal carries the words the real tool prints, and changes nothing.
@Suite struct RefusalTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var operation: HostOperation
        var domain: String?
        var message: String
        var testDescription: String { label }
    }

    /// On a host with www (512M of 1G, 1 of 2 vCPUs, disk vg18/www-root) running.
    @Test(arguments: [
        Case(
            label: "mem-set above static-max", operation: .setMemory(domain: "www", target: .mib(1025)),
            domain: "www", message: "Domain 1:memory_dynamic_max must be less than or equal to memory_static_max"),
        Case(
            label: "vcpu-set above maxvcpus", operation: .setVcpus(domain: "www", count: 3),
            domain: "www", message: "Domain 1:Requested 3 VCPUs, however maxcpus is 2!"),
        Case(
            label: "vcpu-set to zero", operation: .setVcpus(domain: "www", count: 0),
            domain: "www", message: "Domain 1:Requested 0 VCPUs!"),
        Case(
            label: "unknown domain", operation: .setMemory(domain: "nope", target: .mib(256)),
            domain: "nope", message: "nope is an invalid domain identifier (rc=-6)"),
        Case(
            label: "destroy unknown domain", operation: .destroy(domain: "ghost"),
            domain: "ghost", message: "ghost is an invalid domain identifier (rc=-6)"),
        Case(
            label: "Domain-0 is not touched", operation: .destroy(domain: "Domain-0"),
            domain: "Domain-0", message: "Domain-0 cannot be changed by this operation"),
        Case(
            label: "create without config", operation: .create(domain: "ldap"),
            domain: "ldap", message: "Failed to read config file: /etc/xen/xenplan/ldap.cfg: No such file or directory"),
        Case(
            label: "create of a running name", operation: .create(domain: "www"),
            domain: "www", message: "Domain with name \"www\" already exists."),
        Case(
            label: "sched weight out of range", operation: .setScheduler(domain: "www", weight: 0, cap: 0),
            domain: "www", message: "Cpu weight out of range, valid values are within range from 1 to 65535"),
        Case(
            label: "sched cap out of range", operation: .setScheduler(domain: "www", weight: 256, cap: 201),
            domain: "www", message: "Cpu cap out of range, valid range is from 0 to 100 for specified number of vcpus"),
        Case(
            label: "block-detach of an unknown vdev", operation: .detachDisk(domain: "www", vdev: "xvdz"),
            domain: "www", message: "Error: Device xvdz not connected."),
        Case(
            label: "block-attach of a missing volume",
            operation: .attachDisk(domain: "www", disk: DomainConfig.Disk(vdev: "xvdb", target: "/dev/vg18/nothing")),
            domain: "www", message: "Disk vdev=xvdb failed to stat: /dev/vg18/nothing: No such file or directory"),
        Case(
            label: "network-attach to a missing bridge",
            operation: .attachNic(domain: "www", nic: DomainConfig.Nic(bridge: "xenbr9", mac: nil, ip: nil)),
            domain: "www", message: "script: Could not find bridge device xenbr9"),
        Case(
            label: "network-detach of an unknown MAC", operation: .detachNic(domain: "www", mac: "00:16:3e:ff:ff:ff"),
            domain: "www", message: "Unknown device 00:16:3e:ff:ff:ff."),
        Case(
            label: "lvcreate beyond the VG",
            operation: .createVolume(container: "vg18", name: "big", size: .gib(96)),
            message: "Volume group \"vg18\" has insufficient free space (24320 extents): 24576 required."),
        Case(
            label: "lvcreate of an existing name",
            operation: .createVolume(container: "vg18", name: "www-root", size: .gib(1)),
            message: "Logical Volume \"www-root\" already exists in volume group \"vg18\""),
        Case(
            label: "lvcreate in a missing VG", operation: .createVolume(container: "vg99", name: "x", size: .gib(1)),
            message: "Volume group \"vg99\" not found"),
        Case(
            label: "lvremove in use", operation: .removeVolume(container: "vg18", name: "www-root"),
            message: "Logical volume vg18/www-root in use."),
        Case(
            label: "lvremove of a missing volume", operation: .removeVolume(container: "vg18", name: "gone"),
            message: "Failed to find logical volume \"vg18/gone\""),
        Case(
            label: "lvextend smaller", operation: .growVolume(container: "vg18", name: "www-root", size: .gib(4)),
            message: "New size given (1024 extents) not larger than existing size (1280 extents)"),
        Case(
            label: "lvextend to the same size", operation: .growVolume(container: "vg18", name: "www-root", size: .gib(5)),
            message: "New size (1280 extents) matches existing size (1280 extents)."),
        Case(
            label: "bridge that exists", operation: .createBridge(name: "xenbr0", interface: nil),
            message: "RTNETLINK answers: File exists"),
    ])
    func refused(_ c: Case) async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await driver.perform(.createVolume(container: "vg18", name: "www-root", size: .gib(5)))
        try await fx.start(driver, SimFixture.config("www", disks: [.init(vdev: "xvda", target: "/dev/vg18/www-root")]))
        let before = try driver.file()
        let error = await thrown { try await driver.perform(c.operation) }
        #expect(error == HostError(host: "cpt18", operation: c.operation.kind, domain: c.domain, message: c.message))
        #expect(try driver.file() == before)
    }

    @Test func createWithoutFreeMemory() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        // 30208 MiB free: a guest of 30204 MiB costs 30204 + 1 + 59 MiB of p2m.
        try await driver.perform(.writeConfig(SimFixture.config("huge", memory: .mib(30204), maxmem: .mib(30204))))
        let error = await thrown { try await driver.perform(.create(domain: "huge")) }
        #expect(error?.message == "failed to free memory for the domain")
        // Exactly fitting is allowed: 30148 + 1 + 59 = 30208.
        try await fx.start(driver, SimFixture.config("fits", memory: .mib(30148), maxmem: .mib(30148)))
        #expect(try await driver.observe().freeMemory == .zero)
    }

    @Test func createWithMissingDiskOrBridge() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await driver.perform(.writeConfig(SimFixture.config("a", disks: [.init(vdev: "xvda", target: "/dev/vg18/a-root")])))
        let disk = await thrown { try await driver.perform(.create(domain: "a")) }
        #expect(disk?.message == "Disk vdev=xvda failed to stat: /dev/vg18/a-root: No such file or directory")
        try await driver.perform(.writeConfig(SimFixture.config("b", bridges: ["xenbr1"])))
        let bridge = await thrown { try await driver.perform(.create(domain: "b")) }
        #expect(bridge?.message == "script: Could not find bridge device xenbr1")
        #expect(try await driver.observe().guests.isEmpty)
    }

    @Test func memSetUpWithoutRoom() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, SimFixture.config("www", memory: .mib(512), maxmem: .gib(20)))
        try await fx.start(driver, SimFixture.config("db", memory: .gib(20), maxmem: .gib(20)))
        let free = try await driver.observe().freeMemory
        #expect(free == .mib(30208 - (512 + 41) - (20480 + 41)))
        let error = await thrown { try await driver.perform(.setMemory(domain: "www", target: .gib(20))) }
        #expect(error?.message == "Domain 1:cannot grow by 19.5 GiB: only 8.9 GiB free on the host")
    }
}

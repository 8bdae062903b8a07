import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// The block hotplug script refuses a device another guest of the same host uses when
/// either would write to it; it cannot see guests of other hosts.
@Suite struct DiskSharingTests {
    static let root = DomainConfig.Disk(vdev: "xvda", target: "/dev/vg18/www-root")

    func hostWithWww(_ sim: SimFixture, readOnly: Bool = false) async throws -> SimDriver {
        let driver = sim.driver()
        try sim.prepare(driver)
        try await driver.perform(.createVolume(container: "vg18", name: "www-root", size: .gib(1)))
        var disk = Self.root
        disk.readOnly = readOnly
        try await driver.perform(.writeConfig(SimFixture.config("www", disks: [disk])))
        try await driver.perform(.create(domain: "www"))
        return driver
    }

    @Test func aSecondWriterIsRefusedOnTheSameHost() async throws {
        let sim = SimFixture()
        let driver = try await hostWithWww(sim)
        try await driver.perform(.writeConfig(SimFixture.config("copy", disks: [Self.root])))
        let error = await #expect(throws: HostError.self) { try await driver.perform(.create(domain: "copy")) }
        #expect(error?.message == "Device /dev/vg18/www-root is mounted in a guest domain, and so cannot be mounted now.")
        #expect(try await driver.observe().domain(named: "copy") == nil)
    }

    @Test func aPersonsGuestIsRefusedToo() async throws {
        let sim = SimFixture()
        _ = try await hostWithWww(sim)
        #expect(throws: HostError.self) { try sim.xl().run(["create", "u1", "memory=64M", "disk=xvdb:/dev/vg18/www-root"]) }
    }

    @Test func attachingTheDeviceOfAnotherGuestIsRefused() async throws {
        let sim = SimFixture()
        let driver = try await hostWithWww(sim)
        try await driver.perform(.writeConfig(SimFixture.config("db")))
        try await driver.perform(.create(domain: "db"))
        await #expect(throws: HostError.self) {
            try await driver.perform(.attachDisk(domain: "db", disk: DomainConfig.Disk(vdev: "xvdb", target: "/dev/vg18/www-root", readOnly: true)))
        }
    }

    @Test func readersShareADevice() async throws {
        let sim = SimFixture()
        let driver = try await hostWithWww(sim, readOnly: true)
        try await driver.perform(
            .writeConfig(SimFixture.config("copy", disks: [DomainConfig.Disk(vdev: "xvda", target: Self.root.target, readOnly: true)])))
        try await driver.perform(.create(domain: "copy"))
        #expect(try await driver.observe().domain(named: "copy") != nil)
    }

    @Test func theDeviceIsFreeOnceTheGuestIsGone() async throws {
        let sim = SimFixture()
        let driver = try await hostWithWww(sim)
        try await driver.perform(.destroy(domain: "www"))
        try await driver.perform(.writeConfig(SimFixture.config("copy", disks: [Self.root])))
        try await driver.perform(.create(domain: "copy"))
        #expect(try await driver.observe().domain(named: "copy") != nil)
    }
}

extension DiskSharingTests {
    /// The receiving host's hotplug script runs the same check.
    @Test func aMigrationOntoAHostWhereAnotherGuestWritesTheDiskIsRefused() async throws {
        let sim = SimFixture()
        let source = sim.driver("cpt18"), target = sim.driver("cpt76")
        try sim.prepare(source)
        try sim.prepare(target, localVG: "vg76")
        try await source.perform(.createVolume(container: "san", name: "www-root", size: .gib(1)))
        let disk = DomainConfig.Disk(vdev: "xvda", target: "/dev/san/www-root")
        try await source.perform(.writeConfig(SimFixture.config("www", disks: [disk])))
        try await source.perform(.create(domain: "www"))
        _ = try sim.xl("cpt76").run(["create", "u1", "memory=64M", "disk=xvda:/dev/san/www-root"])
        let error = await #expect(throws: HostError.self) { try await source.perform(.migrate(domain: "www", toHost: "cpt76")) }
        #expect(error?.message.contains("is mounted in a guest domain") == true)
        #expect(try await source.observe().domain(named: "www")?.transient == nil)
    }
}

import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

/// The cloud-init seed file: written, attached after the declared disks, needed by
/// `xl create` like any disk, removed with the configuration.
@Suite struct SeedTests {
    static func seed(_ domain: String, instanceId: String = "i-1") -> CloudInitSeed {
        CloudInitSeed(domain: domain, instanceId: instanceId, hostname: domain)
    }

    /// www with its root on vg18 and a seed disk.
    static func config() -> DomainConfig {
        var config = SimFixture.config("www", disks: [.init(vdev: "xvda", target: "/dev/vg18/www-root")])
        config.seed = DomainConfig.Seed(target: CloudInitSeed.path(domain: "www"), identity: ["instance-id": "i-1"])
        return config
    }

    func host(_ fx: SimFixture, _ name: String = "cpt18", vg: String = "vg18") async throws -> SimDriver {
        let driver = fx.driver(name)
        try fx.prepare(driver, localVG: vg)
        return driver
    }

    @Test func createdDomainHasTheSeedDiskLast() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        try await driver.perform(.createVolume(container: "vg18", name: "www-root", size: .gib(5)))
        try await driver.perform(.writeSeed(Self.seed("www")))
        try await fx.start(driver, Self.config())
        let state = try await driver.observe()
        #expect(state.seeds == ["www"])
        #expect(
            state.domain(named: "www")?.disks == [
                DiskState(vdev: "xvda", target: "/dev/vg18/www-root", readOnly: false),
                DiskState(vdev: "xvdz", target: "/var/lib/xenplan/seed/www.iso", readOnly: true),
            ])
        // Rewritten with a new instance id: still one seed, the new id recorded.
        try await driver.perform(.writeSeed(Self.seed("www", instanceId: "i-2")))
        #expect(try driver.file().seeds == ["www": "i-2"])
    }

    @Test func createWithoutTheSeedFileFailsLikeAMissingDisk() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        try await driver.perform(.createVolume(container: "vg18", name: "www-root", size: .gib(5)))
        try await driver.perform(.writeConfig(Self.config()))
        let before = try driver.file()
        let error = await thrown { try await driver.perform(.create(domain: "www")) }
        #expect(
            error
                == HostError(
                    host: "cpt18", operation: "create", domain: "www",
                    message: "Disk vdev=xvdz failed to stat: /var/lib/xenplan/seed/www.iso: No such file or directory"))
        #expect(try driver.file() == before)
    }

    @Test func removingTheConfigurationRemovesTheSeed() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        try await driver.perform(.writeSeed(Self.seed("www")))
        try await driver.perform(.writeSeed(Self.seed("db")))
        try await driver.perform(.writeConfig(Self.config()))
        try await driver.perform(.removeConfig(name: "www"))
        #expect(try await driver.observe().seeds == ["db"])
    }

    @Test func aFaultWritesNoSeed() async throws {
        let fx = SimFixture()
        let driver = try await host(fx)
        try driver.fail("write-seed")
        let error = await thrown { try await driver.perform(.writeSeed(Self.seed("www"))) }
        #expect(
            error
                == HostError(
                    host: "cpt18", operation: "write-seed", domain: "www",
                    message: "simulated failure of write-seed"))
        #expect(try await driver.observe().seeds == [])
        try await driver.perform(.writeSeed(Self.seed("www")))
        #expect(try await driver.observe().seeds == ["www"])
    }

    /// The receiving libxl opens every disk, the seed included.
    @Test func migrationNeedsTheSeedOnTheTarget() async throws {
        let fx = SimFixture()
        let cpt18 = try await host(fx)
        let cpt76 = try await host(fx, "cpt76", vg: "vg76")
        var config = Self.config()
        config.disks = [.init(vdev: "xvda", target: "/dev/san/www-root")]
        try await cpt18.perform(.createVolume(container: "san", name: "www-root", size: .gib(5)))
        try await cpt18.perform(.writeSeed(Self.seed("www")))
        try await fx.start(cpt18, config)
        let error = await thrown { try await cpt18.perform(.migrate(domain: "www", toHost: "cpt76")) }
        #expect(error?.message == "migration target cpt76: Disk vdev=xvdz failed to stat: /var/lib/xenplan/seed/www.iso: No such file or directory")
        try await cpt76.perform(.writeSeed(Self.seed("www")))
        try await cpt18.perform(.migrate(domain: "www", toHost: "cpt76"))
        #expect(try await cpt76.observe().domain(named: "www")?.disks.last?.target == "/var/lib/xenplan/seed/www.iso")
    }
}

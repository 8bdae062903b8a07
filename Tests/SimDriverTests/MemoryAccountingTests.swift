import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

@Suite struct MemoryAccountingTests {
    @Test func emptyHostHasOnlyDomain0() async throws {
        let fx = SimFixture()
        let state = try await fx.driver().observe()
        #expect(state.name == "cpt18")
        #expect(state.xenVersion == "4.17.7")
        #expect(state.totalMemory == .gib(32))
        #expect(state.freeMemory == SimFixture.emptyFree)
        #expect(state.freeMemory.kib == 30_932_992)
        #expect(state.cpus == 8)
        #expect(state.dom0Memory == .gib(2))
        #expect(state.domains.map(\.name) == ["Domain-0"])
        #expect(state.domains[0].domid == 0)
        #expect(state.domains[0].vcpusOnline == 2)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var guests: [(memory: Int64, maxmem: Int64)]
        /// Free memory in MiB after creating all guests.
        var free: Int64
        var testDescription: String { label }
    }

    /// Each guest costs its pages plus 1 MiB plus 8 bytes of p2m per page of static-max.
    @Test(arguments: [
        Case(label: "512M/1G costs 515 MiB", guests: [(512, 1024)], free: 30208 - 515),
        Case(label: "512M/512M costs 514 MiB", guests: [(512, 512)], free: 30208 - 514),
        Case(label: "1G/2G costs 1029 MiB", guests: [(1024, 2048)], free: 30208 - 1029),
        Case(
            label: "three guests add up", guests: [(512, 1024), (256, 512), (4096, 8192)],
            free: 30208 - 515 - 258 - (4096 + 17)),
    ])
    func freeMemoryAfterCreate(_ c: Case) async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        for (n, guest) in c.guests.enumerated() {
            try await fx.start(driver, SimFixture.config("g\(n)", memory: .mib(guest.memory), maxmem: .mib(guest.maxmem)))
        }
        #expect(try await driver.observe().freeMemory == .mib(c.free))
    }

    @Test func destroyGivesEverythingBack() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, SimFixture.config("www"))
        #expect(try await driver.observe().freeMemory == .mib(30208 - 515))
        try await driver.perform(.destroy(domain: "www"))
        let state = try await driver.observe()
        #expect(state.freeMemory == SimFixture.emptyFree)
        #expect(state.guests.isEmpty)
        #expect(state.configs.map(\.name) == ["www"])
    }

    @Test func memSetUpTakesFreeMemoryAtOnce() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, SimFixture.config("www"))
        try await driver.perform(.setMemory(domain: "www", target: .mib(1024)))
        let www = try #require(try await driver.observe().domain(named: "www"))
        #expect(www.memoryTarget == .mib(1024))
        #expect(www.memoryActual == .mib(1024))
        #expect(try await driver.observe().freeMemory == .mib(30208 - 1027))
    }

    @Test func createdDomainLooksLikeItsConfig() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await driver.perform(.createVolume(container: "vg18", name: "www-root", size: .gib(5)))
        var config = SimFixture.config("www", disks: [DomainConfig.Disk(vdev: "xvda", target: "/dev/vg18/www-root")])
        config.nics = [DomainConfig.Nic(bridge: "xenbr0", mac: "00:16:3e:00:00:01", ip: "10.0.0.5")]
        config.cpuWeight = 512
        config.cpuCap = 50
        try await fx.start(driver, config)
        let www = try #require(try await driver.observe().domain(named: "www"))
        #expect(www.domid == 1)
        #expect(www.state == .running)
        #expect(www.memoryTarget == .mib(512))
        #expect(www.memoryStaticMax == .gib(1))
        #expect(www.memoryActual == .mib(512))
        #expect(www.vcpusOnline == 1)
        #expect(www.maxVcpus == 2)
        #expect(www.cpuWeight == 512)
        #expect(www.cpuCap == 50)
        #expect(www.disks == [DiskState(vdev: "xvda", target: "/dev/vg18/www-root")])
        #expect(www.nics == [NicState(bridge: "xenbr0", mac: "00:16:3e:00:00:01", ip: "10.0.0.5")])
        // Stable identity: the same seed gives the same UUID.
        let again = SimFixture()
        let other = again.driver()
        try again.prepare(other)
        try await other.perform(.createVolume(container: "vg18", name: "www-root", size: .gib(5)))
        try await again.start(other, config)
        #expect(try await other.observe().domain(named: "www")?.uuid == www.uuid)
    }

    @Test func nextDomidKeepsGrowing() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        try await fx.start(driver, SimFixture.config("a"))
        try await driver.perform(.destroy(domain: "a"))
        try await driver.perform(.create(domain: "a"))
        #expect(try await driver.observe().domain(named: "a")?.domid == 2)
    }
}

import Foundation
import HostModel
import SimDriver
import Testing
import XenplanBasics

@Suite struct MigrationTests {
    /// cpt18 and cpt76 (same machine), each with xenbr0, a local VG and the shared VG
    /// `san`; www (512M of 1G) runs on cpt18 with its root on san.
    func lab(_ fx: SimFixture, speed: Double = 0) async throws -> (SimDriver, SimDriver) {
        let cpt76 = fx.driver("cpt76")
        try fx.prepare(cpt76, localVG: "vg76")
        let cpt18 = SimDriver(
            stateDirectory: fx.directory, host: "cpt18", machine: SimFixture.machine,
            clock: fx.clock, speed: speed)
        try fx.prepare(cpt18)
        try await cpt18.perform(.createVolume(container: "san", name: "www-root", size: .gib(5)))
        try await fx.start(cpt18, SimFixture.config("www", disks: [.init(vdev: "xvda", target: "/dev/san/www-root")]))
        return (cpt18, cpt76)
    }

    @Test func sharedVolumeIsSeenByBothHosts() async throws {
        let fx = SimFixture()
        let (_, cpt76) = try await lab(fx)
        #expect(try await cpt76.observe().volume(container: "san", name: "www-root")?.size == .gib(5))
        // ...and cannot be removed there while www runs on cpt18.
        let error = await thrown { try await cpt76.perform(.removeVolume(container: "san", name: "www-root")) }
        #expect(error?.message == "Logical volume san/www-root in use.")
    }

    @Test func migrationMovesTheDomainAndItsMemory() async throws {
        let fx = SimFixture()
        let (cpt18, cpt76) = try await lab(fx)
        let before = try #require(try await cpt18.observe().domain(named: "www"))
        try await cpt76.perform(.writeConfig(SimFixture.config("other")))
        try await cpt76.perform(.create(domain: "other"))  // domid 1 on cpt76
        try await cpt18.perform(.migrate(domain: "www", toHost: "cpt76"))

        let source = try await cpt18.observe()
        let target = try await cpt76.observe()
        #expect(source.guests.isEmpty)
        #expect(source.freeMemory == SimFixture.emptyFree)
        let www = try #require(target.domain(named: "www"))
        #expect(www.domid == 2)
        #expect(www.uuid == before.uuid)
        #expect(www.transient == nil)
        #expect(www.disks == before.disks)
        #expect(target.freeMemory == .mib(30208 - 515 - 515))
        // Configuration files stay where they were: moving them is the executor's business.
        #expect(source.configs.map(\.name) == ["www"])
    }

    @Test func interruptedMigrationLeavesBothTransientDomains() async throws {
        let fx = SimFixture()
        let (cpt18, cpt76) = try await lab(fx, speed: 1)
        _ = try fx.xl("cpt18").run(["set-latency", "migrate", "3600"])
        let task = Task { try await cpt18.perform(.migrate(domain: "www", toHost: "cpt76")) }
        // Wait for the copy phase to be written, then kill the migration.
        var waited = 0
        while try cpt76.file().domains.isEmpty, waited < 5000 {
            try await Task.sleep(nanoseconds: 1_000_000)
            waited += 1
        }
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }

        let source = try await cpt18.observe()
        let target = try await cpt76.observe()
        #expect(source.guests.map { "\($0.name) \($0.transient?.rawValue ?? "-") \($0.domid)" } == ["www migratedAway 1"])
        #expect(target.guests.map { "\($0.name) \($0.transient?.rawValue ?? "-") \($0.domid)" } == ["www incoming 1"])
        #expect(try cpt76.file().domains.map(\.xlName) == ["www--incoming"])
        #expect(try cpt18.file().domains.map(\.xlName) == ["www--migratedaway"])
        // Memory is held on both hosts.
        #expect(source.freeMemory == .mib(30208 - 515))
        #expect(target.freeMemory == .mib(30208 - 515))
        // xl finds the transient names, not the plain one.
        let error = await thrown { try await cpt18.perform(.setMemory(domain: "www", target: .mib(256))) }
        #expect(error?.message == "www is an invalid domain identifier (rc=-6)")
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var arrange: @Sendable (SimDriver, SimDriver, SimFixture) async throws -> Void
        var message: String
        var testDescription: String { label }
    }

    @Test(arguments: [
        Refusal(
            label: "no room on the target",
            arrange: { _, cpt76, fx in
                try await fx.start(cpt76, SimFixture.config("big", memory: .mib(29700), maxmem: .mib(29700)))
            }, message: "migration target cpt76: failed to free memory for the domain"),
        Refusal(
            label: "disk on storage the target cannot see",
            arrange: { cpt18, _, _ in
                try await cpt18.perform(.createVolume(container: "vg18", name: "www-data", size: .gib(1)))
                try await cpt18.perform(.attachDisk(domain: "www", disk: .init(vdev: "xvdb", target: "/dev/vg18/www-data")))
            }, message: "migration target cpt76: Disk vdev=xvdb failed to stat: /dev/vg18/www-data: No such file or directory"),
        Refusal(
            label: "bridge missing on the target",
            arrange: { cpt18, _, _ in
                try await cpt18.perform(.createBridge(name: "xenbr1", interface: "eth1"))
                try await cpt18.perform(.attachNic(domain: "www", nic: .init(bridge: "xenbr1", mac: nil, ip: nil)))
            }, message: "migration target cpt76: script: Could not find bridge device xenbr1"),
        Refusal(
            label: "different Xen version",
            arrange: { _, cpt76, _ in
                try cpt76.edit { $0.machine.xenVersion = "4.17.3" }
            }, message: "migration to cpt76 refused: Xen 4.17.3 there, 4.17.7 here (live migration needs the same version)"),
        Refusal(
            label: "name taken on the target",
            arrange: { _, cpt76, fx in
                try await fx.start(cpt76, SimFixture.config("www", bridges: []))
            }, message: "migration target cpt76: Domain with name \"www\" already exists."),
    ])
    func refused(_ r: Refusal) async throws {
        let fx = SimFixture()
        let (cpt18, cpt76) = try await lab(fx)
        try await r.arrange(cpt18, cpt76, fx)
        let before = (try cpt18.file(), try cpt76.file())
        let error = await thrown { try await cpt18.perform(.migrate(domain: "www", toHost: "cpt76")) }
        #expect(error == HostError(host: "cpt18", operation: "migrate", domain: "www", message: r.message))
        #expect(try cpt18.file() == before.0)
        #expect(try cpt76.file() == before.1)
    }

    @Test func targetWithoutStateIsRefused() async throws {
        let fx = SimFixture()
        let (cpt18, _) = try await lab(fx)
        let error = await thrown { try await cpt18.perform(.migrate(domain: "www", toHost: "cpt99")) }
        #expect(error?.message == "migration target cpt99: no simulated state for host cpt99 in \(fx.directory.path)")
        #expect(!fx.files().contains("cpt99.live.json"))
    }
}

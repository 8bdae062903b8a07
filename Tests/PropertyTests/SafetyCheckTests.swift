import Foundation
import HostModel
import Testing
import XenplanTestSupport

/// The checks themselves must be able to fail: each is shown a broken lab, as if an
/// operation had broken it.
@Suite struct SafetyCheckTests {
    static func world() throws -> PropertyWorld {
        var lab = PropertyFindingsTests.twoHosts
        lab.domains = [PropertyFindingsTests.domain("d1", host: "h1", pool: "san", stopped: false)]
        return try PropertyWorld(lab)
    }

    @Test func aSecondCopyAndASecondWriterAreSeen() async throws {
        let world = try Self.world()
        _ = await world.converge(world.initialLab, gates: ApplyGates())
        #expect(world.monitor.drain() == [])
        // A second d1 on h2 on the same shared volume, as a broken migration would leave it.
        #expect(try world.outOfBand(OutOfBandChange(host: "h2", argv: ["create", "d1", "memory=64M", "disk=xvda:/dev/san/d1-root"])) == nil)
        world.monitor.check(after: .create(domain: "d1"), on: "h2", failed: false)
        let found = world.monitor.drain()
        #expect(found.contains { $0.hasPrefix("domain d1 is up on h1 and h2") })
        #expect(found.count == 1)
    }

    @Test func anotherGuestOnTheVolumeIsSeen() async throws {
        let world = try Self.world()
        _ = await world.converge(world.initialLab, gates: ApplyGates())
        _ = world.monitor.drain()
        #expect(try world.outOfBand(OutOfBandChange(host: "h2", argv: ["create", "u1", "memory=64M", "disk=xvda:/dev/san/d1-root"])) == nil)
        world.monitor.check(after: .create(domain: "u1"), on: "h2", failed: false)
        #expect(world.monitor.drain() == ["volume shared:san/d1-root is attached read-write to d1 and u1, after create u1 on h2"])
    }

    @Test func vcpusAboveTheLimitAreSeen() async throws {
        let world = try Self.world()
        _ = await world.converge(world.initialLab, gates: ApplyGates())
        _ = world.monitor.drain()
        // h1: 4 CPUs × 2; d1 has 1 vCPU.
        #expect(try world.outOfBand(OutOfBandChange(host: "h1", argv: ["create", "u1", "memory=64M", "vcpus=8"])) == nil)
        world.monitor.check(after: .create(domain: "u1"), on: "h1", failed: false)
        #expect(world.monitor.drain().first?.hasPrefix("host h1 runs 9 guest vCPUs, above 4 × 2") == true)
    }

    @Test func gatesSeeADestroyAndARemovedVolume() async throws {
        let world = try Self.world()
        _ = await world.converge(world.initialLab, gates: ApplyGates())
        let before = try world.snapshot()
        try world.outOfBand(OutOfBandChange(host: "h1", argv: ["destroy", "d1"]))
        try world.outOfBand(OutOfBandChange(host: "h1", argv: ["lvremove", "san/d1-root"]))
        let after = try world.snapshot()
        var undeclared = world.initialLab
        undeclared.domains = []
        #expect(GateAudit.check(before: before, after: after, lab: undeclared, gates: ApplyGates()) == [
            "domain d1 on h1 was destroyed without --allow-destroy",
            "volume san/d1-root was removed without --allow-data-loss",
        ])
        #expect(GateAudit.check(before: before, after: after, lab: world.initialLab, gates: ApplyGates(allowDestroy: true, allowDataLoss: true)) == [
            "volume san/d1-root of a declared disk was removed",
        ])
    }
}

import Foundation
import HostModel
import Testing
import XenplanTestSupport

/// The checks themselves must be able to fail: each is shown a broken lab, as if an
/// operation had broken it.
@Suite struct SafetyCheckTests {
    /// d1 on h1, its root on the shared pool san, applied.
    static func world() async throws -> PropertyWorld {
        var lab = PropertyFindingsTests.twoHosts
        lab.domains = [PropertyFindingsTests.domain("d1", host: "h1", pool: "san", stopped: false)]
        let world = try PropertyWorld(lab)
        _ = await world.converge(world.initialLab, gates: ApplyGates())
        #expect(world.monitor.drain() == [])
        return world
    }

    /// What the monitor reports when `xl create NAME ARGS…` on `host` is taken for an
    /// operation of an apply.
    static func found(creating name: String, _ args: [String], on host: String) async throws -> [String] {
        let world = try await Self.world()
        #expect(try world.outOfBand(OutOfBandChange(host: host, argv: ["create", name] + args)) == nil)
        world.monitor.check(after: .create(domain: name), on: host, failed: false)
        return world.monitor.drain()
    }

    /// A second d1 on h2 on the same shared volume, as a broken migration would leave it.
    @Test func aSecondCopyIsSeen() async throws {
        let found = try await Self.found(creating: "d1", ["memory=64M", "disk=xvda:/dev/san/d1-root"], on: "h2")
        #expect(found == ["domain d1 is up on h1 and h2, after create d1 on h2"])
    }

    @Test func anotherGuestOnTheVolumeIsSeen() async throws {
        let found = try await Self.found(creating: "u1", ["memory=64M", "disk=xvda:/dev/san/d1-root"], on: "h2")
        #expect(found == ["volume shared:san/d1-root is attached read-write to d1 and u1, after create u1 on h2"])
    }

    /// h1 has 4 CPUs × 2; d1 has 1 vCPU.
    @Test func vcpusAboveTheLimitAreSeen() async throws {
        let found = try await Self.found(creating: "u1", ["memory=64M", "vcpus=8"], on: "h1")
        #expect(found.first?.hasPrefix("host h1 runs 9 guest vCPUs, above 4 × 2") == true)
    }

    @Test func gatesSeeADestroyAndARemovedVolume() async throws {
        let world = try await Self.world()
        let before = try world.snapshot()
        try world.outOfBand(OutOfBandChange(host: "h1", argv: ["destroy", "d1"]))
        try world.outOfBand(OutOfBandChange(host: "h1", argv: ["lvremove", "san/d1-root"]))
        let after = try world.snapshot()
        var undeclared = world.initialLab
        undeclared.domains = []
        #expect(
            GateAudit.check(before: before, after: after, lab: undeclared, gates: ApplyGates()) == [
                "domain d1 on h1 was destroyed without --allow-destroy",
                "volume san/d1-root was removed without --allow-data-loss",
            ])
        #expect(
            GateAudit.check(before: before, after: after, lab: world.initialLab, gates: ApplyGates(allowDestroy: true, allowDataLoss: true)) == [
                "volume san/d1-root of a declared disk was removed"
            ])
    }
}

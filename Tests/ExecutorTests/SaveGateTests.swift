import Executor
import HostModel
import Planner
import Testing
import XenplanBasics
import XenplanTestSupport

/// Suspended guests at apply time: a restore is checked for a second copy like a create,
/// and discarding a suspended guest's memory is gated like a destroy.
@Suite struct SaveGateTests {
    static func resume(_ operations: [HostOperation]) -> Plan {
        Plan(
            lab: "t", manifestHash: "h",
            actions: [
                PlannedAction(
                    id: 0, kind: .resume, host: "h1", domain: "web", summary: "1 vCPU, 256 MiB", reason: "declared running",
                    disruption: .none, operations: operations)
            ])
    }

    @Test func aRestoreOfAGuestStartedByHandElsewhereMeanwhileIsRefused() async throws {
        let h1 = FakeHost("h1"), h2 = FakeHost("h2")
        h2.residents = [Fixture.domainState("web", domid: 7)]
        let plan = Self.resume([.restore(domain: "web", directory: SaveState.defaultDirectory)])
        let report = try await Executor(plan: plan, drivers: [h1, h2], clock: ManualExecutionClock()).run()
        #expect(
            report.failed.map(\.failure.description) == [
                "restore: web already exists on h2, running; not started a second time. Run `xenplan plan` to see the lab as it is now"
            ])
        #expect(h1.operations == [])
    }

    @Test func aRestoreOntoADiskAnotherGuestUsesIsRefused() async throws {
        let h1 = FakeHost("h1"), h2 = FakeHost("h2")
        h2.residents = [Fixture.domainState("intruder", domid: 9, disks: [DiskState(vdev: "xvdb", target: "/dev/san/web-root")])]
        let config = DomainConfig(
            name: "web", memory: .mib(256), maxmem: .mib(256), vcpus: 1, maxvcpus: 1,
            disks: [.init(vdev: "xvda", target: "/dev/san/web-root")])
        let plan = Self.resume([.writeConfig(config), .restore(domain: "web", directory: SaveState.defaultDirectory)])
        let report = try await Executor(plan: plan, drivers: [h1, h2], clock: ManualExecutionClock()).run()
        #expect(
            report.failed.map(\.failure.description) == [
                "restore: disk xvda of web (/dev/san/web-root) is in use by intruder on h2; web is not started, so that no disk is written by two guests"
            ])
    }

    @Test func removingASuspendedGuestsMemoryNeedsAllowDestroyButAStaleFileDoesNot() {
        var b = PlanBuilder()
        let op = HostOperation.removeSave(domain: "old", directory: SaveState.defaultDirectory, partial: false)
        b.add(.removeSave, on: "a", domain: "old", [op], disruption: .destroy)
        b.add(.writeConfig, on: "a", domain: "old", [.removeConfig(name: "old")], after: [0])
        b.add(.removeSave, on: "a", domain: "web", [.removeSave(domain: "web", directory: SaveState.defaultDirectory, partial: false)])
        let excluded = Executor.exclusions(in: b.plan, maxDisruption: .dataLoss, refusingDestroy: true)
        #expect(excluded[0] == .destroyNotAllowed)
        #expect(excluded[1] == .dependsOnExcluded(id: 0, kind: .removeSave, domain: "old"))
        #expect(excluded[2] == nil)
    }
}

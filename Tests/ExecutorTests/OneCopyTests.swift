import Executor
import HostModel
import Planner
import Testing
import XenplanBasics
import XenplanTestSupport

/// Just before a guest is started, every host is read again: a guest someone started by
/// hand since the plan was made is not started a second time, and a disk another running
/// guest uses is not given to a second one.
@Suite struct OneCopyTests {
    static let config = DomainConfig(
        name: "web", memory: .mib(256), maxmem: .mib(256), vcpus: 1, maxvcpus: 1,
        disks: [.init(vdev: "xvda", target: "/dev/san/web-root")])
    static let plan = Plan(
        lab: "t", manifestHash: "h",
        actions: [
            PlannedAction(
                id: 0, kind: .create, host: "h1", domain: "web", summary: "1 vCPU, 256 MiB", reason: "declared",
                disruption: .none, operations: [.writeConfig(config), .create(domain: "web")])
        ])

    static func run(_ h1: FakeHost, _ h2: FakeHost) async throws -> ExecutionReport {
        try await Executor(plan: plan, drivers: [h1, h2], clock: ManualExecutionClock()).run()
    }

    @Test func aGuestStartedByHandElsewhereMeanwhileIsNotStartedAgain() async throws {
        let h1 = FakeHost("h1"), h2 = FakeHost("h2")
        h2.residents = [Fixture.domainState("web", domid: 7)]
        let report = try await Self.run(h1, h2)
        #expect(
            report.failed.map(\.failure.description) == [
                "create: web already exists on h2, running; not started a second time. Run `xenplan plan` to see the lab as it is now"
            ])
        #expect(h1.operations == ["write-config web"])
    }

    @Test func aDiskAnotherRunningGuestUsesIsNotGivenToASecond() async throws {
        let h1 = FakeHost("h1"), h2 = FakeHost("h2")
        h2.residents = [Fixture.domainState("intruder", domid: 9, disks: [DiskState(vdev: "xvdb", target: "/dev/mapper/san-web--root")])]
        let report = try await Self.run(h1, h2)
        #expect(
            report.failed.map(\.failure.description) == [
                "create: disk xvda of web (/dev/san/web-root) is in use by intruder on h2; web is not started, so that no disk is written by two guests"
            ])
        #expect(h1.operations == ["write-config web"])
    }

    @Test func withNoOtherCopyTheGuestStarts() async throws {
        let h1 = FakeHost("h1"), h2 = FakeHost("h2")
        h2.residents = [Fixture.domainState("other", domid: 3, disks: [DiskState(vdev: "xvda", target: "/dev/san/other-root")])]
        let report = try await Self.run(h1, h2)
        #expect(report.failed.isEmpty)
        #expect(h1.operations == ["write-config web", "create web"])
    }
}

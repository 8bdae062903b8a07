import HostModel
import Planner
import Testing
import XenplanBasics

@testable import Executor

/// Which actions may start: dependencies, per-host slots, two-host actions, one action
/// per domain, the overall bound. Pure: the schedule is driven by hand.
@Suite struct ScheduleTests {
    static func action(
        _ id: Int, on host: String, domain: String?, after deps: [Int] = [], target: String? = nil, hosts: [String]? = nil
    ) -> PlannedAction {
        PlannedAction(
            id: id, kind: .setVcpus, host: host, domain: domain, targetHost: target, summary: "", reason: "test",
            disruption: .none, operations: hosts.map { $0.map { _ in .setVcpus(domain: domain ?? "", count: 1) } } ?? [],
            operationHosts: hosts, dependsOn: deps)
    }

    static func plan(_ actions: [PlannedAction]) -> Plan { Plan(lab: "t", manifestHash: "h", actions: actions) }

    @Test func eachHostRunsAtMostItsBound() {
        let actions = (0..<10).map { Self.action($0, on: $0 < 6 ? "a" : "b", domain: "d\($0)") }
        var schedule = Schedule(plan: Self.plan(actions), perHost: 2)
        let first = schedule.ready()
        #expect(first == [0, 1, 6, 7])
        for id in first { schedule.start(id) }
        #expect(schedule.ready().isEmpty)
        schedule.finish(0)
        schedule.outcomes[0] = .done(elapsed: .zero)
        #expect(schedule.ready() == [2])
    }

    @Test func aMigrationAndAColdMoveTakeASlotOnEachHost() {
        let actions = [
            Self.action(0, on: "a", domain: "m", target: "b"),
            Self.action(1, on: "a", domain: "x"),
            Self.action(2, on: "b", domain: "y"),
            Self.action(3, on: "c", domain: "cold", hosts: ["c", "b", "c"]),
            Self.action(4, on: "c", domain: "z"),
        ]
        var schedule = Schedule(plan: Self.plan(actions), perHost: 1)
        // The migration holds a and b: nothing else on either until it ends; the cold
        // move wants b too.
        let first = schedule.ready()
        #expect(first == [0, 4])
        for id in first { schedule.start(id) }
        #expect(schedule.load == ["a": 1, "b": 1, "c": 1])
        schedule.finish(0)
        schedule.outcomes[0] = .done(elapsed: .zero)
        #expect(schedule.ready() == [1, 2])
        #expect(Schedule.hosts(of: actions[3]) == ["b", "c"])
    }

    @Test func twoActionsOnOneDomainNeverRunTogether() {
        // Independent in the plan, but on the same domain: one after the other.
        let actions = [
            Self.action(0, on: "a", domain: "web"),
            Self.action(1, on: "a", domain: "web"),
            Self.action(2, on: "b", domain: "web", target: "c"),
            Self.action(3, on: "a", domain: "db"),
        ]
        var schedule = Schedule(plan: Self.plan(actions), perHost: 4)
        #expect(schedule.ready() == [0, 3])
        schedule.start(0)
        schedule.start(3)
        #expect(schedule.ready().isEmpty)
        schedule.finish(0)
        schedule.outcomes[0] = .done(elapsed: .zero)
        #expect(schedule.ready() == [1])
    }

    @Test func dependantsWaitForDoneAndTheOverallBoundHolds() {
        let actions = [
            Self.action(0, on: "a", domain: "p"),
            Self.action(1, on: "b", domain: "q", after: [0]),
            Self.action(2, on: "c", domain: "r"),
            Self.action(3, on: "d", domain: "s"),
        ]
        var schedule = Schedule(plan: Self.plan(actions), perHost: 4, total: 2)
        #expect(schedule.ready() == [0, 2])
        schedule.start(0)
        schedule.start(2)
        #expect(schedule.ready().isEmpty)
        // Finished but failed: the dependant never becomes ready.
        schedule.finish(0)
        schedule.outcomes[0] = .failed(ActionFailure(operation: "x", message: "y"), elapsed: .zero)
        #expect(schedule.ready() == [3])
    }
}

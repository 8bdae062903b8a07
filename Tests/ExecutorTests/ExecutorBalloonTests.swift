import Executor
import Foundation
import HostModel
import Planner
import Testing
import XenplanBasics

/// Balloon waits on a manual clock: no test here sleeps.
@Suite struct ExecutorBalloonTests {
    func shrinkPlan() -> Plan {
        var b = PlanBuilder()
        b.add(.setMemory, on: "a", domain: "www", [.setMemory(domain: "www", target: .mib(512))], disruption: .live, balloon: true)
        b.add(.create, on: "a", domain: "new", [.create(domain: "new")], after: [0])
        b.add(.setVcpus, on: "b", domain: "db", [.setVcpus(domain: "db", count: 2)])
        return b.plan
    }

    @Test func aMemoryDecreaseCompletesWhenTheGuestHasGivenThePagesBack() async throws {
        let clock = ManualExecutionClock()
        let a = FakeHost("a", clock: clock)
        a.balloon("www", from: .mib(2048), ratePerSecond: 256)  // 1536 MiB to give back: 6 s
        let log = EventLog()
        let report = try await Executor(plan: shrinkPlan(), drivers: [a, FakeHost("b")], observer: log, clock: clock).run()
        #expect(report.succeeded)
        #expect(a.operations == ["mem-set www", "create new"])
        // Backoff: 0.1, 0.2, 0.4, 0.8, 1.6, 3.2 s = 6.3 s ≥ 6 s.
        #expect(
            clock.sleeps == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                .milliseconds(1600), .milliseconds(3200),
            ])
        #expect(log.events.contains("balloon 0 www 512 MiB"))
        // Each poll that finds the guest above its target says what it still holds.
        // (The fake guest gives back 256 MiB at each whole second of the manual clock.)
        #expect(
            log.events.filter { $0.hasPrefix("holds") } == [
                "holds 0 www 2048 MiB", "holds 0 www 2048 MiB", "holds 0 www 2048 MiB", "holds 0 www 2048 MiB",
                "holds 0 www 1792 MiB", "holds 0 www 1280 MiB",
            ])
    }

    @Test func aGuestThatKeepsItsMemoryStopsTheApplyAtTheTimeout() async throws {
        let clock = ManualExecutionClock()
        let a = FakeHost("a", clock: clock)
        a.balloon("www", from: .mib(2048), ratePerSecond: 0)  // no balloon driver
        let options = ExecutorOptions(parallelism: 1, balloonTimeout: .seconds(30), maxInFlight: 1)
        let report = try await Executor(plan: shrinkPlan(), drivers: [a, FakeHost("b")], options: options, clock: clock).run()

        let failure = try #require(report.failed.first)
        #expect(failure.action.id == 0)
        #expect(failure.failure.operation == "balloon")
        #expect(
            failure.failure.message
                == "guest www on a did not give memory back within 30 s (it still holds 2 GiB, target 512 MiB); is its balloon driver loaded? The apply stops here; raise --balloon-timeout or set its memory by a restart"
        )
        #expect(clock.now() == .seconds(30))
        // The dependant is skipped, and with one action at once the independent action on b had
        // not started yet: the apply stops there.
        #expect(report.skipped.map(\.action.id) == [1, 2])
        #expect(report.skipped.last?.reason == .stopped("www on a did not give memory back in time"))
        #expect(a.operations == ["mem-set www"])
    }

    @Test func withinTheToleranceCountsAsDeflated() async throws {
        let clock = ManualExecutionClock()
        let a = FakeHost("a", clock: clock)
        // No balloon driver, but 2048 MiB is within the 1 MiB tolerance of a 2047 MiB target.
        a.balloon("www", from: .mib(2048), ratePerSecond: 0)
        var b = PlanBuilder()
        b.add(.setMemory, on: "a", domain: "www", [.setMemory(domain: "www", target: .mib(2047))], balloon: true)
        let report = try await Executor(plan: b.plan, drivers: [a], clock: clock).run()
        #expect(report.succeeded)
        #expect(clock.sleeps.isEmpty)
    }
}

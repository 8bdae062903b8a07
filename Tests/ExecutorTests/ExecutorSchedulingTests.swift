import Executor
import Foundation
import HostModel
import Planner
import Testing
import XenplanBasics

/// The DAG runner: order, parallelism, failures, exclusions, stop.
@Suite struct ExecutorSchedulingTests {
    @Test func operationsRunInOrderAndDependantsWaitForTheirDependencies() async throws {
        var b = PlanBuilder()
        let config = DomainConfig(name: "web", memory: .mib(256), maxmem: .mib(256), vcpus: 1, maxvcpus: 1)
        b.add(.createVolume, on: "a", domain: "web", [.createVolume(container: "vg", name: "web-root", size: .gib(1))])
        b.add(.create, on: "a", domain: "web", [.writeConfig(config), .create(domain: "web")], after: [0])
        b.add(.setVcpus, on: "a", domain: "web", [.setVcpus(domain: "web", count: 2)], after: [1])
        b.add(.setMemory, on: "b", domain: "db", [.setMemory(domain: "db", target: .mib(512))])
        let a = FakeHost("a"), bHost = FakeHost("b"), log = EventLog()
        let report = try await Executor(plan: b.plan, drivers: [a, bHost], observer: log).run()

        #expect(a.operations == ["create-volume", "write-config web", "create web", "vcpu-set web"])
        #expect(bHost.operations == ["mem-set db"])
        #expect(report.done.map(\.id) == [0, 1, 2, 3])
        #expect(report.succeeded)
        let events = log.events
        for (dep, dependant) in [(0, 1), (1, 2)] {
            let finished = try #require(events.firstIndex(of: "done \(dep)"))
            let started = try #require(events.firstIndex(of: "start \(dependant)"))
            #expect(finished < started, "\(events)")
        }
    }

    @Test(arguments: [1, 2, 4])
    func parallelismBoundsActionsInFlightOnEachHost(limit: Int) async throws {
        var b = PlanBuilder()
        for i in 0..<12 {
            b.add(.setVcpus, on: i % 2 == 0 ? "a" : "b", domain: "d\(i)", [.setVcpus(domain: "d\(i)", count: 2)])
        }
        let counter = ConcurrencyCounter()
        let a = FakeHost("a", counter: counter), c = FakeHost("b", counter: counter)
        a.hold()
        c.hold()
        let executor = Executor(plan: b.plan, drivers: [a, c], options: ExecutorOptions(parallelism: limit))
        let run = Task { try await executor.run() }
        // Until the executor has filled every host's slots; nothing more may start while held.
        for _ in 0..<1_000_000 where counter.current < 2 * limit { await Task.yield() }
        for _ in 0..<100 { await Task.yield() }
        #expect(a.running == limit && c.running == limit)
        a.release()
        c.release()
        let report = try await run.value
        #expect(report.done.count == 12)
        #expect(a.peakConcurrency == limit && c.peakConcurrency == limit)
        #expect(counter.maximum == 2 * limit)
    }

    @Test func maxInFlightBoundsActionsOverAllHosts() async throws {
        var b = PlanBuilder()
        for i in 0..<8 { b.add(.setVcpus, on: "h\(i % 4)", domain: "d\(i)", [.setVcpus(domain: "d\(i)", count: 2)]) }
        let counter = ConcurrencyCounter()
        let hosts = (0..<4).map { FakeHost("h\($0)", counter: counter) }
        for h in hosts { h.hold() }
        let executor = Executor(plan: b.plan, drivers: hosts, options: ExecutorOptions(parallelism: 4, maxInFlight: 3))
        let run = Task { try await executor.run() }
        for _ in 0..<1_000_000 where counter.current < 3 { await Task.yield() }
        for _ in 0..<100 { await Task.yield() }
        #expect(counter.current == 3)
        for h in hosts { h.release() }
        #expect(try await run.value.done.count == 8)
        #expect(counter.maximum == 3)
    }

    @Test func failureSkipsDependantsAndLetsIndependentActionsFinish() async throws {
        var b = PlanBuilder()
        b.add(.create, on: "a", domain: "web", [.create(domain: "web")])
        b.add(.setVcpus, on: "a", domain: "web", [.setVcpus(domain: "web", count: 2)], after: [0])
        b.add(.setScheduler, on: "a", domain: "web", [.setScheduler(domain: "web", weight: 512, cap: 0)], after: [1])
        b.add(.create, on: "b", domain: "db", [.create(domain: "db")])
        b.add(.setVcpus, on: "b", domain: "db", [.setVcpus(domain: "db", count: 2)], after: [3])
        let a = FakeHost("a"), other = FakeHost("b")
        a.fail("create", domain: "web", message: "libxl: error: cannot allocate memory")
        let report = try await Executor(plan: b.plan, drivers: [a, other]).run()

        #expect(report.done.map(\.id) == [3, 4])
        #expect(report.failed.map(\.action.id) == [0])
        #expect(report.failed.first?.failure.description == "create: libxl: error: cannot allocate memory")
        #expect(report.skipped.map(\.action.id) == [1, 2])
        #expect(
            report.skipped.map(\.reason.description) == [
                "depends on #0 create web, which failed",
                "depends on #1 set-vcpus web, which was skipped",
            ])
        #expect(a.operations == ["create web"])
        #expect(other.operations == ["create db", "vcpu-set db"])
        #expect(!report.succeeded)
    }

    @Test func aFailedOperationStopsTheRestOfItsAction() async throws {
        var b = PlanBuilder()
        b.add(.migrate, on: "a", domain: "git", [.migrate(domain: "git", toHost: "b"), .removeConfig(name: "git")])
        let a = FakeHost("a")
        a.fail("migrate", domain: "git", message: "migration target: Not enough free memory")
        let report = try await Executor(plan: b.plan, drivers: [a, FakeHost("b")]).run()
        #expect(a.operations == ["migrate git"])
        #expect(report.failed.first?.failure.operation == "migrate")
    }

    @Test func maxDisruptionLeavesOutTheActionAndEverythingThatDependsOnIt() async throws {
        var b = PlanBuilder()
        b.add(.setMemory, on: "a", domain: "ldap", [.setMemory(domain: "ldap", target: .mib(512))], disruption: .live)
        b.add(.migrate, on: "a", domain: "git", [.migrate(domain: "git", toHost: "b")], disruption: .pause)
        b.add(.writeConfig, on: "b", domain: "git", [.removeConfig(name: "git")], after: [1])
        b.add(.setVcpus, on: "b", domain: "git", [.setVcpus(domain: "git", count: 2)], after: [2], disruption: .live)
        b.add(.destroy, on: "a", domain: "old", [.shutdown(domain: "old", timeoutSeconds: 120)], disruption: .destroy)
        let plan = b.plan
        let excluded = Executor.exclusions(in: plan, maxDisruption: .live)
        #expect(excluded.keys.sorted() == [1, 2, 3, 4])
        #expect(excluded[1]?.description == "class pause is above --max-disruption live")
        #expect(excluded[3]?.description == "depends on #2 write-config git, which is left out")
        #expect(Executor.exclusions(in: plan, maxDisruption: .dataLoss).isEmpty)

        let a = FakeHost("a"), other = FakeHost("b")
        let report = try await Executor(plan: plan, drivers: [a, other], options: ExecutorOptions(excluded: excluded)).run()
        #expect(a.operations == ["mem-set ldap"])
        #expect(other.operations == [])
        #expect(report.excluded.map(\.action.id) == [1, 2, 3, 4])
        #expect(report.skipped.isEmpty)
        #expect(report.succeeded)
    }

    @Test func stopLetsRunningActionsFinishAndStartsNothingNew() async throws {
        var b = PlanBuilder()
        b.add(.create, on: "a", domain: "one", [.create(domain: "one")])
        b.add(.create, on: "a", domain: "two", [.create(domain: "two")], after: [0])
        b.add(.create, on: "b", domain: "three", [.create(domain: "three")], after: [0])
        let a = FakeHost("a"), other = FakeHost("b"), stop = StopRequest()
        a.hold()
        let executor = Executor(plan: b.plan, drivers: [a, other], stop: stop)
        let run = Task { try await executor.run() }
        for _ in 0..<60_000 where a.running == 0 { try await Task.sleep(for: .milliseconds(1)) }
        stop.request()
        a.release()
        let report = try await run.value
        #expect(report.done.map(\.id) == [0])
        #expect(report.skipped.map(\.action.id) == [1, 2])
        #expect(report.skipped.first?.reason == .interrupted)
        #expect(report.interrupted)
        #expect(a.operations == ["create one"])
    }

    @Test func anActionOnAHostWithoutDriverFailsWithItsName() async throws {
        var b = PlanBuilder()
        b.add(.create, on: "elsewhere", domain: "web", [.create(domain: "web")])
        let report = try await Executor(plan: b.plan, drivers: [FakeHost("a")]).run()
        #expect(report.failed.first?.failure.message == "host elsewhere is not connected in this apply")
    }
}

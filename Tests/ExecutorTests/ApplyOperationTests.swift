import Executor
import Foundation
import HostModel
import Manifest
import Planner
import SimDriver
import Testing
import XenplanBasics
import XenplanTestSupport

/// A whole apply driven in-process, on simulated hosts, as the CLI drives it: locks,
/// observation, plan, gates, execution, release.
@Suite struct ApplyOperationTests {
    /// Two simulated hosts (8 GiB, 4 CPUs each) in a fresh state directory.
    struct World {
        let directory: URL
        let drivers: [SimDriver]
        init() throws {
            directory = try TemporaryDirectory.create("apply")
            let machine = SimMachine(memory: .gib(8), cpus: 4, dom0Memory: .gib(1), dom0Vcpus: 1)
            let stateDirectory = directory
            drivers = ["h1", "h2"].map { SimDriver(stateDirectory: stateDirectory, host: $0, machine: machine, speed: 0) }
        }
        func remove() { try? FileManager.default.removeItem(at: directory) }

        var hosts: [HostSpec] { ["h1", "h2"].map { Fixture.hostSpec($0, memory: .gib(8), cpus: 4) } }
        func lab(_ domains: [DomainSpec]) -> Lab { Fixture.lab(hosts: hosts, domains: domains) }

        func apply(
            _ lab: Lab, allowDestroy: Bool = false, stop: StopRequest = StopRequest(),
            delegate: RecordingApplyDelegate = RecordingApplyDelegate()
        ) async throws(ApplyFailure) -> ApplyOutcome {
            let request = ApplyRequest(lab: lab, drivers: drivers, allowDestroy: allowDestroy, interactive: false)
            return try await ApplyOperation(request, delegate: delegate, clock: ManualExecutionClock(), stop: stop).run()
        }

        func plan(_ lab: Lab) async throws -> Plan {
            var states: [HostState] = []
            for d in drivers { states.append(try await d.observe()) }
            return try Planner.plan(lab: lab, observed: states)
        }

        func guests(_ host: Int) async throws -> [String] {
            try await drivers[host].observe().guests.map(\.name).sorted()
        }
    }

    static let web = Fixture.domain("web", on: "h1", network: [Fixture.nic(), Fixture.nic()])

    @Test func aGuestWithoutMacsConvergesInOneApply() async throws {
        let world = try World()
        defer { world.remove() }
        let lab = world.lab([Self.web])
        guard case let .executed(_, report) = try await world.apply(lab) else { Issue.record("nothing ran"); return }
        #expect(report.succeeded)
        #expect(try await world.plan(lab).actions.isEmpty)
    }

    @Test func withoutAllowDestroyAnUndeclaredGuestIsLeftAndSaidSo() async throws {
        let world = try World()
        defer { world.remove() }
        _ = try await world.apply(world.lab([Self.web]))
        let delegate = RecordingApplyDelegate()
        let outcome = try await world.apply(world.lab([]), delegate: delegate)
        guard case let .nothingToDo(review) = outcome else { Issue.record("\(outcome)"); return }
        #expect(review.exclusions.values.map(\.description) == ["destroying needs --allow-destroy (or answering yes to the question that lists it)"])
        #expect(try await world.guests(0) == ["web"])

        guard case let .executed(_, report) = try await world.apply(world.lab([]), allowDestroy: true) else { Issue.record("nothing ran"); return }
        #expect(report.done.count == 1)
        #expect(try await world.guests(0) == [])
    }

    @Test func anInterruptBeforeExecutionChangesNothingAndReleasesTheLocks() async throws {
        let world = try World()
        defer { world.remove() }
        let stop = StopRequest()
        _ = stop.request()
        await #expect(throws: ApplyFailure.self) { try await world.apply(world.lab([Self.web]), stop: stop) }
        #expect(try await world.guests(0) == [])
        // The locks went with it: the next apply takes them.
        guard case .executed = try await world.apply(world.lab([Self.web])) else { Issue.record("the next apply did not run"); return }
        #expect(try await world.guests(0) == ["web"])
    }
}

import HostModel
import Planner
import Testing
import XenplanBasics

@testable import Executor

/// The backup a plan makes before a destroy or a removal runs only when that step does.
@Suite struct ExecutorSafetyNetTests {
    static let job = BackupJob(
        domain: "old", directory: "/srv/xen-backups", disks: [], pause: true, consistency: "pause", keep: 7, config: nil,
        xenplanVersion: "test")

    static var plan: Plan {
        var b = PlanBuilder()
        b.add(.backup, on: "a", domain: "old", [.backup(job)], disruption: .pause)
        b.add(.destroy, on: "a", domain: "old", [.shutdown(domain: "old", timeoutSeconds: 120)], after: [0], disruption: .destroy)
        b.add(.removeVolume, on: "a", domain: "old", [.removeVolume(container: "vg0", name: "old-root")], after: [0, 1], disruption: .dataLoss)
        b.add(.backup, on: "a", domain: "web", [.backup(job)], disruption: .pause)
        return b.plan
    }

    @Test func aBackupBeforeADestroyThatIsLeftOutIsLeftOutToo() {
        let excluded = Executor.exclusions(in: Self.plan, maxDisruption: .dataLoss, refusingDestroy: true)
        #expect(excluded.keys.sorted() == [0, 1, 2])
        #expect(excluded[0]?.description == "it backs up what #1 destroy old loses, which is left out")
        #expect(excluded[2]?.description == "depends on #1 destroy old, which is left out")
    }

    @Test func aBackupBeforeAStepThatRunsRunsAndOneNothingWaitsForStays() {
        #expect(Executor.exclusions(in: Self.plan, maxDisruption: .dataLoss).isEmpty)
        let belowDataLoss = Executor.exclusions(in: Self.plan, maxDisruption: .destroy)
        #expect(belowDataLoss.keys.sorted() == [2])
        #expect(Executor.exclusions(in: Self.plan, maxDisruption: .live).keys.sorted() == [0, 1, 2, 3])
    }
}

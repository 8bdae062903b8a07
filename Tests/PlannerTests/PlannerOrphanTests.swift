import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// Volumes left behind by earlier applies stay orphans until --allow-data-loss, and
/// volumes someone made by hand are never xenplan's to report or remove.
@Suite struct PlannerOrphanTests {
    static let lab = Fixture.lab(
        hosts: Std.hosts, pools: Std.pools,
        domains: [
            Fixture.domain("web", on: "cpt18", disks: [Fixture.disk("root", size: 8192, pool: "cpt18-local")])
        ])

    /// The converged lab plus one leftover volume on cpt18's local pool.
    static func observed(leftoverOwned owned: Bool) -> [HostState] {
        var hosts = Fixture.converged(lab)
        let i = hosts.firstIndex { $0.name == "cpt18" }!
        hosts[i].volumes.append(VolumeState(container: "vg18", name: "old-test-root", size: .gib(8), owned: owned))
        return hosts
    }

    @Test func leftoverVolumeOfXenplanIsAnOrphan() throws {
        let plan = try Planner.plan(lab: Self.lab, observed: Self.observed(leftoverOwned: true))
        #expect(plan.actions.isEmpty)
        #expect(
            plan.notices == [
                Notice(
                    kind: .orphanVolume, host: "cpt18", domain: nil,
                    message:
                        "volume vg18/old-test-root (8 GiB) is no longer used by any declared disk (created by xenplan): kept; --allow-data-loss removes it"
                )
            ])
    }

    @Test func leftoverVolumeIsRemovedOnlyWithAllowDataLoss() throws {
        let plan = try Planner.plan(
            lab: Self.lab, observed: Self.observed(leftoverOwned: true),
            options: PlanOptions(allowDataLoss: true))
        #expect(plan.actions.map(\.kind) == [.removeVolume])
        #expect(plan.actions.first?.disruption == .dataLoss)
        #expect(plan.actions.first?.operations == [.removeVolume(container: "vg18", name: "old-test-root")])
    }

    @Test func volumeMadeByHandIsNeverReportedOrRemoved() throws {
        let plan = try Planner.plan(
            lab: Self.lab, observed: Self.observed(leftoverOwned: false),
            options: PlanOptions(allowDataLoss: true))
        #expect(plan.actions.isEmpty)
        #expect(plan.notices.isEmpty)
    }

    @Test func declaredVolumeIsNeverAnOrphan() throws {
        let plan = try Planner.plan(lab: Self.lab, observed: Fixture.converged(Self.lab), options: PlanOptions(allowDataLoss: true))
        #expect(plan.actions.isEmpty)
        #expect(plan.notices.isEmpty)
    }
}

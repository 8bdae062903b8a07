import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// With a backup policy, what an apply destroys or removes is first backed up, as a
/// step of its own that the destroy or removal waits for; without one the plan says that
/// nothing is kept; a backup that cannot be made refuses the plan.
@Suite struct PlannerSafetyNetTests {
    typealias L = BackupLab
    static let dataLoss = PlanOptions(allowDataLoss: true, xenplanVersion: "test")

    /// web converged, then no longer declared (the lab-wide policy `labPolicy`).
    static func withoutWeb(labPolicy: BackupPolicy? = L.policy) -> (lab: Lab, observed: [HostState]) {
        (L.lab([], labPolicy: labPolicy), Fixture.converged(L.lab()))
    }

    @Test func aDestroyedGuestIsBackedUpFirstPausedWhileItRuns() throws {
        let (lab, observed) = Self.withoutWeb()
        let plan = try Planner.plan(lab: lab, observed: observed, options: L.options)
        #expect(lines(plan) == ["backup web@cpt18 pause", "destroy web@cpt18 destroy ←0"])
        #expect(
            plan.actions[0].summary
                == "2 disks (vg18/web-root 8 GiB, vg18/web-data 20 GiB) to pool backup, keep 7, before what is lost, paused for the snapshots")
        #expect(
            plan.actions[0].operations == [
                .backup(
                    BackupJob(
                        domain: "web", directory: "/srv/xen-backups", disks: L.webDisks, pause: true, consistency: "pause", keep: 7,
                        config: observed[named: "cpt18"].config(named: "web"), xenplanVersion: "test"))
            ])
        #expect(plan.actions[1].reason.hasSuffix("; after backup #0"))
        #expect(plan.actions[1].summary == "managed by xenplan, no longer declared; volumes kept: vg18/web-data, vg18/web-root")

        let after = try applying(plan, to: observed)
        #expect(BackupPlanner.backups(in: after, domain: "web").map(\.consistency) == ["pause"])
        #expect(try Planner.plan(lab: lab, observed: after).actions.isEmpty)
    }

    @Test func aStoppedGuestIsBackedUpWithoutAPause() throws {
        let lab = L.lab([], labPolicy: L.policy)
        let observed = Fixture.converged(L.lab([L.web(state: .stopped)]))
        let plan = try Planner.plan(lab: lab, observed: observed, options: L.options)
        #expect(lines(plan) == ["backup web@cpt18 none", "destroy web@cpt18 destroy ←0"])
        guard case let .backup(job) = plan.actions[0].operations.first else {
            Issue.record("not a backup: \(plan.actions[0].operations)")
            return
        }
        #expect(!job.pause && job.consistency == "stopped")
    }

    @Test func volumesRemovedAfterADestroyWaitForItsBackup() throws {
        let (lab, observed) = Self.withoutWeb()
        let plan = try Planner.plan(lab: lab, observed: observed, options: Self.dataLoss)
        #expect(
            lines(plan) == [
                "backup web@cpt18 pause", "destroy web@cpt18 destroy ←0",
                "remove-volume vg18/web-data 20 GiB@cpt18 data-loss ←0,1", "remove-volume vg18/web-root 8 GiB@cpt18 data-loss ←0,1",
            ])
        #expect(plan.actions[2].reason == "no declared disk uses it (was used by web); --allow-data-loss; after backup #0")
        let after = try applying(plan, to: observed)
        #expect(after[named: "cpt18"].volume(container: "vg18", name: "web-root") == nil)
        #expect(BackupPlanner.backups(in: after, domain: "web").map { $0.disks.map(\.volume) } == [["web-root", "web-data"]])
        #expect(try Planner.plan(lab: lab, observed: after, options: Self.dataLoss).actions.isEmpty)
    }

    @Test func withoutAPolicyThePlanSaysNothingIsKept() throws {
        let (lab, observed) = Self.withoutWeb(labPolicy: nil)
        let kept = try Planner.plan(lab: lab, observed: observed)
        #expect(lines(kept) == ["destroy web@cpt18 destroy"])
        #expect(kept.actions[0].summary == "managed by xenplan, no longer declared; volumes kept: vg18/web-data, vg18/web-root")
        #expect(kept.actions[0].reason.hasSuffix("; no backup policy: no backup is made first"))
        let removed = try Planner.plan(lab: lab, observed: observed, options: Self.dataLoss)
        #expect(
            lines(removed) == [
                "destroy web@cpt18 destroy", "remove-volume vg18/web-data 20 GiB@cpt18 data-loss ←0",
                "remove-volume vg18/web-root 8 GiB@cpt18 data-loss ←0",
            ])
        #expect(removed.actions[0].reason.hasSuffix("; no backup policy: nothing is kept"))
        #expect(removed.actions[1].reason == "no declared disk uses it (was used by web); --allow-data-loss; no backup policy: nothing is kept")
    }

    @Test func anOrphanVolumeIsBackedUpAloneBeforeItIsRemoved() throws {
        let lab = L.lab()
        var observed = Fixture.converged(lab)
        observed[named: "cpt18"].volumes.append(VolumeState(container: "vg18", name: "old-root", size: .gib(1), owned: true))
        let plan = try Planner.plan(lab: lab, observed: observed, options: Self.dataLoss)
        #expect(
            lines(plan) == [
                "backup 1 disk (vg18/old-root 1 GiB) to pool backup, keep 7, before what is lost@cpt18 none",
                "remove-volume vg18/old-root 1 GiB@cpt18 data-loss ←0",
            ])
        #expect(
            plan.actions[0].operations == [
                .backup(
                    BackupJob(
                        domain: "old-root", directory: "/srv/xen-backups", disks: [L.disk("old-root", "old-root", 1024)], pause: false,
                        consistency: "stopped", keep: 7, config: nil, xenplanVersion: "test"))
            ])
        #expect(plan.actions[1].reason == "no declared disk uses it (created by xenplan); --allow-data-loss; after backup #0")
    }

    /// Two orphans of one name (like the copies a cold move leaves on two hosts): their backups
    /// are named alike, and the second must not prune the first one's copy (its `keep` is
    /// one more, and it waits for it). Found by the property suite (seed 5717).
    @Test func safetyNetsOfOneNameKeepEachOther() throws {
        let lab = L.lab()
        var observed = Fixture.converged(lab)
        observed[named: "cpt18"].volumes.append(VolumeState(container: "vg18", name: "old-root", size: .gib(1), owned: true))
        observed[named: "cpt18"].volumes.append(VolumeState(container: "vg-old", name: "old-root", size: .gib(1), owned: true))
        let plan = try Planner.plan(lab: lab, observed: observed, options: Self.dataLoss)
        #expect(
            lines(plan) == [
                "backup 1 disk (vg-old/old-root 1 GiB) to pool backup, keep 7, before what is lost@cpt18 none",
                "remove-volume vg-old/old-root 1 GiB@cpt18 data-loss ←0",
                "backup 1 disk (vg18/old-root 1 GiB) to pool backup, keep 8, before what is lost@cpt18 none ←0",
                "remove-volume vg18/old-root 1 GiB@cpt18 data-loss ←2",
            ])
        let keeps = plan.actions.compactMap { a -> Int? in
            guard case let .backup(job)? = a.operations.first else { return nil }
            return job.keep
        }
        #expect(keeps == [7, 8])
    }

    @Test func aDiskDroppedFromADeclaredDomainFollowsThatDomainsPolicy() throws {
        let observed = Fixture.converged(L.lab())
        var web = L.web()
        web.disks.removeLast()
        web.backups = BackupPolicy(pool: "backup", keep: 2)
        let plan = try Planner.plan(lab: L.lab([web]), observed: observed, options: Self.dataLoss)
        let backup = try #require(plan.actions.first { $0.kind == .backup })
        #expect(backup.domain == "web")
        #expect(backup.summary == "1 disk (vg18/web-data 20 GiB) to pool backup, keep 2, before what is lost")
        guard case let .backup(job) = backup.operations.first else { return }
        #expect(job.disks == [L.disk("xvdb", "web-data", 20480)])
        let remove = try #require(plan.actions.first { $0.kind == .removeVolume })
        #expect(remove.dependsOn.contains(backup.id))
        #expect(remove.reason.hasSuffix("; after backup #\(backup.id)"))

        web.backups = nil
        let none = try Planner.plan(lab: L.lab([web]), observed: observed, options: Self.dataLoss)
        #expect(!none.actions.contains { $0.kind == .backup })
        #expect(none.actions.first { $0.kind == .removeVolume }?.reason.hasSuffix("; backups: none: nothing is kept") == true)
    }

    @Test func aBackupPoolTheHostDoesNotReachRefusesTheDestroy() throws {
        let lab = L.lab([], labPolicy: L.policy)
        let observed = Fixture.converged(L.lab([L.web(on: "cpt76", pool: "cpt76-local")]))
        let error = #expect(throws: PlanRefusal.self) { try Planner.plan(lab: lab, observed: observed, options: L.options) }
        #expect(
            error?.message
                == "cannot destroy web on cpt76: its backup policy asks for a backup of its volumes first, and backup pool 'backup' (/srv/xen-backups) is not reachable from cpt76\n"
                + "nothing is destroyed or removed without the backup its policy asks for: make the pool reach the host, or change the policy")
        #expect(error?.hosts == ["cpt76"])
        #expect(error?.domains == ["web"])
    }

    @Test func aKeptDestroyKeepsItsBackupInTheSelection() throws {
        let (lab, observed) = Self.withoutWeb()
        for options in [
            PlanOptions(allowDataLoss: true, domains: ["web"], xenplanVersion: "test"),
            PlanOptions(allowDataLoss: true, hosts: ["cpt18"], xenplanVersion: "test"),
        ] {
            let plan = try Planner.plan(lab: lab, observed: observed, options: options)
            #expect(
                lines(plan) == [
                    "backup web@cpt18 pause", "destroy web@cpt18 destroy ←0",
                    "remove-volume vg18/web-data 20 GiB@cpt18 data-loss ←0,1", "remove-volume vg18/web-root 8 GiB@cpt18 data-loss ←0,1",
                ])
        }
        let elsewhere = try Planner.plan(lab: lab, observed: observed, options: PlanOptions(hosts: ["cpt76"], xenplanVersion: "test"))
        #expect(elsewhere.actions.isEmpty)
    }

    @Test func volumesSeenFromTwoHostsAreBackedUpOnce() throws {
        let shared = L.web(pool: "san")
        var observed = Fixture.converged(L.lab([shared]))
        observed[named: "cpt76"].configs.append(Fixture.config(shared, pools: L.lab().pools, host: "cpt76"))
        let plan = try Planner.plan(lab: L.lab([]), observed: observed, options: L.options)
        #expect(lines(plan) == ["backup web@cpt18 pause", "destroy web@cpt18 destroy ←0", "destroy web@cpt76 destroy ←1"])
    }
}

import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// `xenplan backup`: one action per domain on the host that has it, at the consistency
/// its policy asks for; refusals name the domain and why.
@Suite struct PlannerBackupTests {
    typealias L = BackupLab

    func job(
        _ lab: Lab, _ observed: [HostState], disks: [BackupJob.Disk] = L.webDisks, pause: Bool, consistency: String, keep: Int = 7
    ) -> BackupJob {
        BackupJob(
            domain: "web", directory: "/srv/xen-backups", disks: disks, pause: pause, consistency: consistency, keep: keep,
            config: observed[named: "cpt18"].config(named: "web"), xenplanVersion: "test")
    }

    @Test func thePausePolicyPausesTheGuestForTheSnapshotsOfItsLVMDisks() throws {
        let lab = L.lab()
        let observed = Fixture.converged(lab)
        let plan = try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: ["web"], options: L.options)
        #expect(lines(plan) == ["backup web@cpt18 pause"])
        #expect(
            plan.actions[0].summary
                == "2 disks (vg18/web-root 8 GiB, vg18/web-data 20 GiB) to pool backup, keep 7, paused for the snapshots")
        #expect(plan.actions[0].reason == "backup policy of web: pool backup (/srv/xen-backups), keep 7, consistency pause")
        #expect(plan.actions[0].operations == [.backup(job(lab, observed, pause: true, consistency: "pause"))])
        #expect(plan.notices.isEmpty)
        #expect(
            plan.hosts.map { "\($0.host) \($0.memoryBefore == $0.memoryAfter) \($0.domainsBefore)→\($0.domainsAfter)" } == [
                "cpt18 true 3→3", "cpt76 true 1→1",
            ])
        #expect(plan.fingerprints == Planner.fingerprints(of: observed))
        #expect(plan.objectSummaries["volume/cpt18/vg18/web-root"] == ["size": "8192 MiB"])
        #expect(plan.manifestHash == lab.contentHash)

        let after = try applying(plan, to: observed)
        let records = BackupPlanner.backups(in: after, domain: "web")
        #expect(records.map { "\($0.id) \($0.consistency) \($0.disks.map(\.volume))" } == ["b1 pause [\"web-root\", \"web-data\"]"])
        #expect(try Planner.plan(lab: lab, observed: after).actions.isEmpty)
    }

    @Test func theLivePolicySnapshotsLVMDisksWithoutAPause() throws {
        let lab = L.lab([L.web(.live)])
        let observed = Fixture.converged(lab)
        let plan = try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: ["web"], options: L.options)
        #expect(lines(plan) == ["backup web@cpt18 none"])
        #expect(plan.actions[0].summary == "2 disks (vg18/web-root 8 GiB, vg18/web-data 20 GiB) to pool backup, keep 7, live snapshots")
        #expect(plan.actions[0].operations == [.backup(job(lab, observed, pause: false, consistency: "live"))])
    }

    @Test func theLivePolicyStillPausesForADirPoolDisk() throws {
        let lab = L.lab([L.web(.live, extra: [Fixture.disk("scratch", size: 1024, vdev: "xvdc", pool: "files")])])
        let observed = Fixture.converged(lab)
        let plan = try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: ["web"], options: L.options)
        #expect(lines(plan) == ["backup web@cpt18 pause"])
        #expect(
            plan.actions[0].summary
                == "3 disks (vg18/web-root 8 GiB, vg18/web-data 20 GiB, /srv/xen-images/web-scratch 1 GiB) to pool backup, keep 7, "
                + "paused for the copy of its dir-pool disk (live otherwise: a file's snapshot is a copy)")
        let disks = L.webDisks + [L.disk("xvdc", "web-scratch", 1024, container: "/srv/xen-images", kind: "dir")]
        #expect(plan.actions[0].operations == [.backup(job(lab, observed, disks: disks, pause: true, consistency: "live"))])
    }

    @Test func theShutdownPolicyStopsTheGuestAndStartsItAgain() throws {
        let lab = L.lab([L.web(.shutdown)])
        let observed = Fixture.converged(lab)
        let plan = try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: [], options: L.options)
        #expect(lines(plan) == ["backup web@cpt18 restart"])
        #expect(
            plan.actions[0].summary
                == "2 disks (vg18/web-root 8 GiB, vg18/web-data 20 GiB) to pool backup, keep 7, shut down for the snapshots and started again")
        #expect(
            plan.actions[0].operations == [
                .shutdown(domain: "web", timeoutSeconds: 120), .backup(job(lab, observed, pause: false, consistency: "shutdown")),
                .create(domain: "web"),
            ])
        let after = try applying(plan, to: observed)
        #expect(after[named: "cpt18"].domain(named: "web") != nil)
        #expect(try Planner.plan(lab: lab, observed: after).actions.isEmpty)
    }

    /// Shut down, a guest whose disk another running guest has attached could not start
    /// again: the backup would leave it down, so it is refused, saying why (found by the
    /// property suite, seed 888195).
    @Test func theShutdownPolicyIsRefusedWhenTheGuestCouldNotStartAgain() throws {
        let lab = L.lab([L.web(.shutdown)])
        var observed = Fixture.converged(lab)
        let web = try #require(observed[named: "cpt18"].domain(named: "web"))
        var intruder = web
        intruder.name = "u5"
        intruder.domid = 99
        intruder.uuid = "u5"
        intruder.disks = [DiskState(vdev: "xvda", target: web.disks[0].target)]
        intruder.nics = []
        observed[named: "cpt18"].domains.append(intruder)
        #expect(throws: PlanRefusal.self) { try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: [], options: L.options) }
        do {
            _ = try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: [], options: L.options)
        } catch {
            #expect(
                error.message
                    == "cannot shut web down for its backup: disk xvda (\(web.disks[0].target)) is attached to u5 on cpt18, so it could not start again; detach it there, or back it up with consistency: pause"
            )
        }
    }

    @Test func aStoppedGuestIsCopiedAsItIs() throws {
        let lab = L.lab([L.web(.shutdown, state: .stopped)])
        let observed = Fixture.converged(lab)
        let plan = try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: ["web"], options: L.options)
        #expect(lines(plan) == ["backup web@cpt18 none"])
        #expect(plan.actions[0].summary.hasSuffix(", keep 7, stopped, nothing paused"))
        #expect(plan.actions[0].operations == [.backup(job(lab, observed, pause: false, consistency: "stopped"))])
    }

    @Test func withoutNamesEveryDomainWithAPolicyIsBackedUp() throws {
        var db = L.web()
        db.name = "db"
        db.backups = BackupPolicy(pool: "backup", keep: 3)
        var lab = L.lab([L.web(), db])
        // Std's domains have no policy of their own (nil: none), whatever the lab says.
        lab.backups = L.policy
        let plan = try BackupPlanner.backupPlan(lab: lab, observed: Fixture.converged(lab), domains: [], options: L.options)
        #expect(lines(plan) == ["backup db@cpt18 pause", "backup web@cpt18 pause"])
        #expect(plan.actions[0].summary.contains("keep 3"))
    }

    @Test func existingDevicesAndTheSeedAreNotBackedUpAndTheNoticeSaysSo() throws {
        let lab = L.lab([L.web(extra: [DiskSpec(name: "raw", size: nil, vdev: "xvdc", path: "/dev/sdb")])])
        var observed = Fixture.converged(lab)
        observed[named: "cpt18"].updateConfig("web") {
            $0.seed = DomainConfig.Seed(target: CloudInitSeed.path(domain: "web"), identity: [:])
            $0.disks.append($0.seed!.disk)
        }
        let plan = try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: ["web"], options: L.options)
        #expect(lines(plan) == ["backup web@cpt18 pause"])
        #expect(
            plan.notices == [
                Notice(
                    kind: .backup, host: "cpt18", domain: "web",
                    message: "not backed up (not a pool volume): xvdc (/dev/sdb, an existing device), xvdz (the first-boot seed)")
            ])
    }

    @Test func aLeftoverSnapshotIsSaidToBeRemovedFirst() throws {
        let lab = L.lab()
        var observed = Fixture.converged(lab)
        observed[named: "cpt18"].volumes.append(VolumeState(container: "vg18", name: "web-root_snap", size: .gib(2)))
        let plan = try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: ["web"], options: L.options)
        #expect(
            plan.actions[0].summary
                == "2 disks (vg18/web-root 8 GiB, vg18/web-data 20 GiB) to pool backup, keep 7, paused for the snapshots; "
                + "leftover snapshot of an interrupted backup removed first: vg18/web-root_snap")
    }

    @Test func refusalsNameTheDomainAndWhy() throws {
        let lab = L.lab()
        let observed = Fixture.converged(lab)
        func refusal(_ lab: Lab, _ names: [String], _ observed: [HostState]) -> PlanRefusal? {
            #expect(throws: PlanRefusal.self) { try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: names, options: L.options) }
        }
        #expect(refusal(lab, ["wbe"], observed)?.message == "domain 'wbe' is not declared; did you mean 'web'?")
        #expect(refusal(lab, ["www"], observed)?.message == "www says backups: none")
        #expect(refusal(lab, ["www"], observed)?.domains == ["www"])
        let noPolicy = L.lab([], labPolicy: nil)
        #expect(
            refusal(noPolicy, ["www"], Fixture.converged(noPolicy))?.message
                == "www has no backup policy: declare backups: {pool: NAME} at the top level or on the domain")
        #expect(
            refusal(noPolicy, [], Fixture.converged(noPolicy))?.message
                == "no domain has a backup policy: declare a top-level backups: {pool: NAME}, or backups on a domain")
        var gone = observed
        gone[named: "cpt18"].removeDomain("web", config: true)
        #expect(
            refusal(lab, ["web"], gone)?.message
                == "web neither runs nor has a configuration on any observed host: there is nothing to back up")
    }

    @Test func aBackupPoolTheHostDoesNotReachIsRefused() throws {
        let lab = L.lab([L.web(on: "cpt76", pool: "cpt76-local")])
        let error = #expect(throws: PlanRefusal.self) {
            try BackupPlanner.backupPlan(lab: lab, observed: Fixture.converged(lab), domains: ["web"], options: L.options)
        }
        #expect(error?.message == "cannot back up web on cpt76: backup pool 'backup' (/srv/xen-backups) is not reachable from cpt76")
        #expect(error?.hosts == ["cpt76"])
        #expect(error?.domains == ["web"])
    }

    @Test func aSavedBackupPlanGoesStaleWhenAVolumeItCopiesChanges() throws {
        let lab = L.lab()
        let observed = Fixture.converged(lab)
        let plan = try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: ["web"], options: L.options)
        #expect(plan.staleObjects(comparedWith: observed).isEmpty)
        var grown = observed
        grown[named: "cpt18"].volumes = grown[named: "cpt18"].volumes.map { v in
            var v = v
            if v.name == "web-root" { v.size = .gib(10) }
            return v
        }
        #expect(plan.staleObjects(comparedWith: grown) == ["volume vg18/web-root on cpt18: size 8192 MiB → 10240 MiB since the plan was made"])
    }
}

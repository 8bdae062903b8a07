import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// `xenplan restore`: the newest backup or one by id, into new volumes (`--as`) or over
/// the current ones with `--allow-data-loss` while the guest is stopped; volumes only.
@Suite struct PlannerRestoreTests {
    typealias L = BackupLab
    static let zeros = String(repeating: "0", count: 64)

    /// The lab converged, with two backups of web made (`b1`, `b2`).
    static func backedUp(_ lab: Lab = L.lab()) throws -> [HostState] {
        var hosts = Fixture.converged(lab)
        for _ in 0..<2 {
            hosts = try applying(try BackupPlanner.backupPlan(lab: lab, observed: hosts, domains: ["web"], options: L.options), to: hosts)
        }
        return hosts
    }

    static func source(_ id: String, _ vdev: String) -> BackupSource {
        BackupSource(domain: "web", id: id, path: "/srv/xen-backups/xenplan-backups/web/\(id)/\(vdev).img", compressed: false, sha256: zeros)
    }

    func refusal(
        _ observed: [HostState], lab: Lab = L.lab(), id: String? = nil, as newName: String? = nil, allowDataLoss: Bool = false
    )
        -> PlanRefusal?
    {
        #expect(throws: PlanRefusal.self) {
            try BackupPlanner.restorePlan(
                lab: lab, observed: observed, domain: "web", id: id, newName: newName,
                options: PlanOptions(allowDataLoss: allowDataLoss, xenplanVersion: "test"))
        }
    }

    @Test func theNewestBackupIsRestoredAsANewDomainIntoNewVolumes() throws {
        let observed = try Self.backedUp()
        let plan = try BackupPlanner.restorePlan(lab: L.lab(), observed: observed, domain: "web", id: nil, newName: "web2", options: L.options)
        #expect(lines(plan) == ["restore-volume web2@cpt18 none", "restore-volume web2@cpt18 none"])
        #expect(
            plan.actions.map(\.summary) == [
                "vg18/web2-root 8 GiB from backup b2 of web (xvda)", "vg18/web2-data 20 GiB from backup b2 of web (xvdb)",
            ])
        #expect(plan.actions[0].reason == "backup b2 of web made on cpt18 at b2 (pause)")
        #expect(
            plan.actions.map(\.operations) == [
                [.restoreVolume(container: "vg18", name: "web2-root", size: .gib(8), source: Self.source("b2", "xvda"), replace: false)],
                [.restoreVolume(container: "vg18", name: "web2-data", size: .gib(20), source: Self.source("b2", "xvdb"), replace: false)],
            ])
        #expect(
            plan.notices.map(\.message) == [
                "web2 is not declared: the restore writes its volumes only; declare it in the manifests for a plan to create it (backed up with 512 MiB, 1 vCPU)"
            ])
        let after = try applying(plan, to: observed)
        #expect(after[named: "cpt18"].volume(container: "vg18", name: "web2-data")?.size == .gib(20))
    }

    @Test func aBackupIsChosenByItsID() throws {
        let observed = try Self.backedUp()
        let plan = try BackupPlanner.restorePlan(lab: L.lab(), observed: observed, domain: "web", id: "b1", newName: "copy", options: L.options)
        #expect(
            plan.actions.map(\.operations.first) == [
                .restoreVolume(container: "vg18", name: "copy-root", size: .gib(8), source: Self.source("b1", "xvda"), replace: false),
                .restoreVolume(container: "vg18", name: "copy-data", size: .gib(20), source: Self.source("b1", "xvdb"), replace: false),
            ])
        #expect(refusal(observed, id: "b9", as: "copy")?.message == "web has no backup 'b9'; its backups: b1, b2")
    }

    @Test func aDomainWithoutBackupsIsRefused() {
        #expect(refusal(Fixture.converged(L.lab()))?.message == "no backup of web is seen by any observed host")
    }

    @Test func restoringAsAnotherNameNeverWritesAnExistingVolume() throws {
        var observed = try Self.backedUp()
        observed[named: "cpt18"].volumes.append(VolumeState(container: "vg18", name: "copy-root", size: .gib(8), owned: true))
        #expect(
            refusal(observed, as: "copy")?.message
                == "vg18/copy-root already exists on cpt18: a restore as copy writes only new volumes; choose another name")
    }

    @Test func restoringOverTheCurrentVolumesNeedsAllowDataLoss() throws {
        let observed = try Self.backedUp()
        #expect(
            refusal(observed)?.message
                == "vg18/web-root and vg18/web-data already exist on cpt18: restoring over them loses what they hold now; --allow-data-loss does it (web stopped), or restore --as NEWNAME"
        )
    }

    @Test func restoringOverTheCurrentVolumesNeedsTheGuestStopped() throws {
        let observed = try Self.backedUp()
        let error = refusal(observed, allowDataLoss: true)
        #expect(error?.message == "web runs on cpt18: stop it first: declare state: stopped and apply, or restore --as NEWNAME")
        #expect(error?.hosts == ["cpt18"])
    }

    /// Powered off but still listed by Xen (not yet reaped): its disks are still held.
    @Test func aGuestXenStillListsAfterItsShutdownIsNotRestoredOver() throws {
        var observed = try Self.backedUp()
        for i in observed[named: "cpt18"].domains.indices where observed[named: "cpt18"].domains[i].name == "web" {
            observed[named: "cpt18"].domains[i].state = .shutdown
        }
        #expect(
            refusal(observed, allowDataLoss: true)?.message
                == "web is no longer running on cpt18 but Xen still lists it, holding its disks: wait for it to go (or `xl destroy web`), then restore"
        )
    }

    @Test func overTheVolumesOfAStoppedGuestTheRestoreReplacesThem() throws {
        let stopped = L.lab([L.web(state: .stopped)])
        let observed = try Self.backedUp(stopped)
        let plan = try BackupPlanner.restorePlan(
            lab: stopped, observed: observed, domain: "web", id: nil, newName: nil, options: PlanOptions(allowDataLoss: true, xenplanVersion: "test"))
        #expect(lines(plan) == ["restore-volume web@cpt18 data-loss", "restore-volume web@cpt18 data-loss"])
        #expect(plan.actions[0].summary == "vg18/web-root 8 GiB from backup b2 of web (xvda), over the current volume")
        #expect(plan.actions[0].reason == "backup b2 of web made on cpt18 at b2 (stopped); --allow-data-loss: what the volume holds now is lost")
        #expect(
            plan.actions[0].operations == [
                .restoreVolume(container: "vg18", name: "web-root", size: .gib(8), source: Self.source("b2", "xvda"), replace: true)
            ])
        #expect(plan.notices.isEmpty)
        let after = try applying(plan, to: observed)
        #expect(try Planner.plan(lab: stopped, observed: after).actions.isEmpty)
    }

    @Test func aRecordOfANewerFormatIsNotRestoredFrom() throws {
        var observed = try Self.backedUp()
        observed[named: "cpt18"].backups[1].format = BackupRecord.currentFormat + 1
        #expect(refusal(observed, as: "copy")?.message == "backup b2 of web has record format 2; this xenplan restores format 1 at most")
        // An older one still is.
        let plan = try BackupPlanner.restorePlan(lab: L.lab(), observed: observed, domain: "web", id: "b1", newName: "copy", options: L.options)
        #expect(plan.actions.count == 2)
    }

    @Test func aConfigurationThatDiffersFromTheManifestsIsReported() throws {
        let observed = try Self.backedUp()
        var bigger = L.web(state: .stopped)
        bigger.memory = .gib(1)
        bigger.maxmem = .gib(1)
        bigger.disks[1].size = .gib(40)
        var stopped = observed
        stopped[named: "cpt18"].removeDomain("web")
        let plan = try BackupPlanner.restorePlan(
            lab: L.lab([bigger]), observed: stopped, domain: "web", id: nil, newName: nil,
            options: PlanOptions(allowDataLoss: true, xenplanVersion: "test"))
        #expect(
            plan.notices.map(\.message) == [
                "backup b2 of web was made with another configuration than the manifests declare for web (memory 512 MiB → 1 GiB; maxmem 512 MiB → 1 GiB; "
                    + "disks xvda 8 GiB, xvdb 20 GiB → xvda 8 GiB, xvdb 40 GiB): the restore writes volumes only; the manifests stay the configuration's source"
            ])
    }

    @Test func aHostThatDoesNotSeeTheBackupCannotRestoreIt() throws {
        var observed = try Self.backedUp()
        observed[named: "cpt18"].backups = []
        observed[named: "cpt76"].backups = try Self.backedUp()[named: "cpt18"].backups
        #expect(
            refusal(observed, as: "copy")?.message
                == "no observed host both sees backup b2 of web (in /srv/xen-backups) and reaches vg18")
    }

    @Test func aNewNameMustBeAName() throws {
        #expect(
            refusal(try Self.backedUp(), as: "Web_2")?.message
                == "'Web_2' cannot name a domain: use 1 to 63 of a-z, 0-9, '.' and '-'")
    }
}

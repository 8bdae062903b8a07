import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// `state: suspended`: a guest saved to a file frees its host; declared running again it
/// is restored from there, never cold-booted while its file exists; stale files are
/// removed, interrupted ones reported, and a missing one said.
@Suite struct PlannerSuspendTests {
    static let saveDir = SaveState.defaultDirectory

    /// The standard lab with `www` declared `state`.
    static func lab(www state: DesiredRunState, _ change: (inout DomainSpec) -> Void = { _ in }) -> Lab {
        Std.lab(
            Std.lab().domains.with("www") {
                $0.state = state
                change(&$0)
            })
    }

    /// The standard lab converged, then `www` suspended by a plan (its save file on cpt18).
    static func suspended() throws -> [HostState] {
        let running = Fixture.converged(Std.lab())
        return try applying(try Planner.plan(lab: lab(www: .suspended), observed: running), to: running)
    }

    @Test func aRunningGuestDeclaredSuspendedIsSavedAndFreesItsMemory() throws {
        let running = Fixture.converged(Std.lab())
        let plan = try Planner.plan(lab: Self.lab(www: .suspended), observed: running)
        #expect(lines(plan) == ["suspend www@cpt18 pause"])
        var config = Fixture.config(Std.www, pools: Std.pools, host: "cpt18")
        config.autostart = false
        #expect(plan.actions[0].operations == [.writeConfig(config), .save(domain: "www", directory: Self.saveDir)])
        #expect(plan.actions[0].summary == "1 vCPU, 512 MiB saved to /var/lib/xenplan/save/www.save; its memory and vCPUs freed")
        #expect(plan.actions[0].reason == "declared state: suspended")
        let cpt18 = try #require(plan.hosts.first { $0.host == "cpt18" })
        #expect(cpt18.memoryBefore - cpt18.memoryAfter == XenMemory.footprint(actual: .mib(512), staticMax: .mib(1024), type: "pv", maxVcpus: 1))
        #expect(cpt18.vcpusBefore - cpt18.vcpusAfter == 1)
        #expect(cpt18.domainsBefore - cpt18.domainsAfter == 1)

        let after = try applying(plan, to: running)
        #expect(after[named: "cpt18"].saves.map(\.path) == ["/var/lib/xenplan/save/www.save"])
        let again = try Planner.plan(lab: Self.lab(www: .suspended), observed: after)
        #expect(again.actions.isEmpty)
        #expect(again.notices.isEmpty)
        // Its memory is nowhere: the plan's usage does not count it.
        let usage = try #require(again.hosts.first { $0.host == "cpt18" })
        #expect(usage.memoryAfter == usage.memoryBefore)
        #expect(usage.memoryBefore == cpt18.memoryAfter)
    }

    @Test func theSaveGoesToTheDeclaredDirPoolWhenTheHostReachesIt() throws {
        let pool = PoolSpec(name: "nfs-save", kind: .dir(path: "/srv/xen-save"), hosts: ["cpt18", "cpt76"], shared: true)
        var lab = Self.lab(www: .suspended) { $0.savePool = "nfs-save" }
        lab.pools.append(pool)
        let plan = try Planner.plan(lab: lab, observed: Fixture.converged(Std.lab()))
        #expect(plan.actions[0].operations.last == .save(domain: "www", directory: "/srv/xen-save"))
    }

    @Test func aSuspendedGuestIsRestoredWhenDeclaredRunningAgain() throws {
        let saved = try Self.suspended()
        let plan = try Planner.plan(lab: Std.lab(), observed: saved)
        #expect(lines(plan) == ["resume www@cpt18 none"])
        let config = Fixture.config(Std.www, pools: Std.pools, host: "cpt18")
        #expect(plan.actions[0].operations == [.writeConfig(config), .restore(domain: "www", directory: Self.saveDir)])
        #expect(plan.actions[0].summary == "1 vCPU, 512 MiB from /var/lib/xenplan/save/www.save")
        #expect(plan.actions[0].reason == "declared running, suspended: restored from its save file, its memory state kept")
        let cpt18 = try #require(plan.hosts.first { $0.host == "cpt18" })
        #expect(cpt18.domainsAfter - cpt18.domainsBefore == 1)
        let after = try applying(plan, to: saved)
        #expect(after[named: "cpt18"].saves.isEmpty)
        #expect(try Planner.plan(lab: Std.lab(), observed: after).actions.isEmpty)
    }

    @Test func aGuestWithASaveFileIsNeverCreatedAnewEvenWithoutConfigurationOrHost() throws {
        var saved = try Self.suspended()
        saved[named: "cpt18"].removeDomain("www", config: true)
        // Declared without a host: placement would pick a host and cold-boot it.
        let lab = Self.lab(www: .running) { $0.host = nil }
        let plan = try Planner.plan(lab: lab, observed: saved)
        #expect(lines(plan) == ["resume www@cpt18 none"])
        #expect(plan.actions[0].operations.last == .restore(domain: "www", directory: Self.saveDir))
        #expect(try Planner.plan(lab: lab, observed: try applying(plan, to: saved)).actions.isEmpty)
    }

    @Test func aSuspendedGuestWithoutItsSaveFileIsReportedAndLeftStopped() throws {
        var saved = try Self.suspended()
        saved[named: "cpt18"].saves = []
        let plan = try Planner.plan(lab: Self.lab(www: .suspended), observed: saved)
        #expect(plan.actions.isEmpty)
        #expect(noticeLines(plan) == ["save-missing www@cpt18"])
        #expect(
            plan.notices[0].message
                == "www is declared suspended, but no host has its save file: it is stopped; declare state: running to boot it (its memory state is lost)"
        )
        // Declared running, it starts from its configuration: there is no memory to keep.
        #expect(lines(try Planner.plan(lab: Std.lab(), observed: saved)) == ["start www@cpt18 none"])
    }

    @Test func aSuspendedGuestRestoredOutsideXenplanIsReportedAndSuspendedAgain() throws {
        var restored = try Self.suspended()
        restored[named: "cpt18"].addDomain(Fixture.observed(Std.www, domid: 40, pools: Std.pools, host: "cpt18"))
        let plan = try Planner.plan(lab: Self.lab(www: .suspended), observed: restored)
        #expect(lines(plan) == ["suspend www@cpt18 pause"])
        #expect(plan.actions[0].operations == [.save(domain: "www", directory: Self.saveDir)])
        #expect(
            plan.actions[0].reason
                == "declared state: suspended; it runs although its save file exists (restored outside xenplan): the new save replaces the stale file"
        )
        #expect(noticeLines(plan) == ["restored-outside www@cpt18"])
        #expect(
            plan.notices[0].message
                == "www is declared suspended but runs on cpt18 while its save file exists (/var/lib/xenplan/save/www.save on cpt18): "
                + "it was restored outside xenplan; it is suspended again, and the stale file replaced")
        let after = try applying(plan, to: restored)
        #expect(after[named: "cpt18"].saves.count == 1)
        #expect(try Planner.plan(lab: Self.lab(www: .suspended), observed: after).actions.isEmpty)

        // drift reports it, with the suspend that would follow.
        let report = DriftReport(lab: Self.lab(www: .suspended), observed: restored, plan: plan)
        #expect(report.items.map(\.message).contains(plan.notices[0].message))
        #expect(report.items.contains { $0.message.hasPrefix("suspend: ") })
    }

    @Test func driftReportsASuspendedGuestWhoseSaveFileIsMissing() throws {
        var saved = try Self.suspended()
        saved[named: "cpt18"].saves = []
        let lab = Self.lab(www: .suspended)
        let report = DriftReport(lab: lab, observed: saved, plan: try Planner.plan(lab: lab, observed: saved))
        #expect(report.items.map(\.domain) == ["www"])
        #expect(report.items[0].message.hasPrefix("www is declared suspended, but no host has its save file"))
        // Declared running while suspended: missing, with where its memory is.
        let running = DriftReport(
            lab: Std.lab(), observed: try Self.suspended(), plan: try Planner.plan(lab: Std.lab(), observed: try Self.suspended()))
        #expect(running.items.map(\.message).contains("declared running; suspended (save file /var/lib/xenplan/save/www.save on cpt18)"))
    }

    @Test func aSaveFileBesideARunningGuestIsRemoved() throws {
        var hosts = Fixture.converged(Std.lab())
        hosts[named: "cpt18"].saves = [SaveState(directory: Self.saveDir, domain: "www", size: .mib(512))]
        let plan = try Planner.plan(lab: Std.lab(), observed: hosts)
        #expect(lines(plan) == ["remove-save www@cpt18 none"])
        #expect(plan.actions[0].operations == [.removeSave(domain: "www", directory: Self.saveDir, partial: false)])
        #expect(plan.actions[0].reason == "www runs on cpt18: restoring it later would run the guest on disks that moved on")
        #expect(plan.actions[0].discardsGuest == false)
        #expect(try Planner.plan(lab: Std.lab(), observed: try applying(plan, to: hosts)).actions.isEmpty)
    }

    @Test func declaredStoppedDiscardsTheSuspendedMemoryAsADestroy() throws {
        let saved = try Self.suspended()
        let plan = try Planner.plan(lab: Self.lab(www: .stopped), observed: saved)
        #expect(lines(plan) == ["remove-save www@cpt18 destroy"])
        #expect(plan.actions[0].reason == "declared state: stopped; www is suspended: removing its save file discards the suspended memory")
        #expect(plan.actions[0].discardsGuest)
        #expect(try Planner.plan(lab: Self.lab(www: .stopped), observed: try applying(plan, to: saved)).actions.isEmpty)
    }

    @Test func aSuspendedGuestNoLongerDeclaredIsDestroyedWithItsSaveFile() throws {
        let saved = try Self.suspended()
        let lab = Std.lab([Std.ns1, Std.git])
        let plan = try Planner.plan(lab: lab, observed: saved)
        #expect(lines(plan) == ["destroy www@cpt18 destroy"])
        #expect(plan.actions[0].operations == [.removeSave(domain: "www", directory: Self.saveDir, partial: false), .removeConfig(name: "www")])
        #expect(
            plan.actions[0].summary
                == "suspended, no longer declared: its save file and memory discarded; volumes kept: vg18/www-root")
        #expect(plan.actions[0].discardsGuest)
        #expect(try Planner.plan(lab: lab, observed: try applying(plan, to: saved)).actions.isEmpty)

        // Protected: kept, save file and all.
        var protected = saved
        protected[named: "cpt18"].updateConfig("www") { $0.protect = true }
        let kept = try Planner.plan(lab: lab, observed: protected)
        #expect(kept.actions.isEmpty)
        // (Its volume is reported as no declared disk's, as for any protected guest that does not run.)
        #expect(noticeLines(kept) == ["protected www@cpt18", "orphan-volume -@cpt18"])

        // Its manifest file gone: said first, as for any destroy.
        var gone = saved
        gone[named: "cpt18"].updateConfig("www") { $0.manifestFile = "web.yaml" }
        #expect(noticeLines(try Planner.plan(lab: lab, observed: gone)).first == "manifest-gone -@-")
    }

    @Test func anInterruptedSaveIsOnlyReported() throws {
        var hosts = Fixture.converged(Std.lab())
        hosts[named: "cpt18"].saves = [SaveState(directory: Self.saveDir, domain: "ns1", size: .mib(100), partial: true)]
        let plan = try Planner.plan(lab: Std.lab(), observed: hosts)
        #expect(plan.actions.isEmpty)
        #expect(noticeLines(plan) == ["interrupted-save ns1@cpt18"])
        #expect(
            plan.notices[0].message
                == "/var/lib/xenplan/save/ns1.save.partial on cpt18 is an interrupted save: xenplan never restores it; remove it by hand once you know the guest runs"
        )
    }

    /// cpt18 has 3008 MiB for guests; a 2 GiB guest runs there. A new 1.5 GiB guest fits
    /// only once the first is suspended, so its creation waits for the suspend.
    @Test func aSuspendMakesRoomForAnotherGuest() throws {
        let big = Small.onSan("big", on: "cpt18", memory: 2048)
        let before = Fixture.lab(hosts: Small.hosts, pools: Std.pools, domains: [big])
        var suspended = big
        suspended.state = .suspended
        let lab = Fixture.lab(hosts: Small.hosts, pools: Std.pools, domains: [suspended, Small.onSan("new", on: "cpt18", memory: 1536)])
        let hosts = Fixture.converged(before)
        let plan = try Planner.plan(lab: lab, observed: hosts)
        #expect(lines(plan) == ["suspend big@cpt18 pause", "create-volume san/new-root 1 GiB@cpt18 none", "create new@cpt18 none ←0,1"])
        #expect(plan.actions[2].reason.hasSuffix("; after suspend big on cpt18: order for memory"))
        #expect(try Planner.plan(lab: lab, observed: try applying(plan, to: hosts)).actions.isEmpty)

        // Declared running again with the other guest still there: no room, refused.
        let after = try applying(plan, to: hosts)
        let back = Fixture.lab(hosts: Small.hosts, pools: Std.pools, domains: [big, Small.onSan("new", on: "cpt18", memory: 1536)])
        #expect(throws: PlanRefusal.self) { try Planner.plan(lab: back, observed: after) }

        // With the other one declared stopped, the resume waits for its shutdown.
        var stopped = Small.onSan("new", on: "cpt18", memory: 1536)
        stopped.state = .stopped
        let swap = Fixture.lab(hosts: Small.hosts, pools: Std.pools, domains: [big, stopped])
        let resume = try Planner.plan(lab: swap, observed: after)
        #expect(lines(resume) == ["stop new@cpt18 restart", "resume big@cpt18 none ←0"])
        #expect(resume.actions[1].reason.hasSuffix("; after stop new on cpt18: order for memory"))
        #expect(try Planner.plan(lab: swap, observed: try applying(resume, to: after)).actions.isEmpty)
    }

    /// The save file on a shared dir pool, the disks on the SAN: declared on the other host,
    /// it is restored there directly, and its configuration on the first host removed.
    @Test func aGuestOnSharedStorageIsRestoredDirectlyOnTheHostItIsDeclaredOn() throws {
        let pool = PoolSpec(name: "nfs-save", kind: .dir(path: "/srv/xen-save"), hosts: ["cpt18", "cpt76"], shared: true)
        func lab(_ state: DesiredRunState, on host: String) -> Lab {
            var lab = Std.lab(
                Std.lab().domains.with("ns1") {
                    $0.state = state; $0.host = host; $0.savePool = "nfs-save"
                })
            lab.pools.append(pool)
            return lab
        }
        let running = Fixture.converged(Std.lab())
        var saved = try applying(try Planner.plan(lab: lab(.suspended, on: "cpt18"), observed: running), to: running)
        // The same file, seen from both hosts.
        saved[named: "cpt76"].saves = saved[named: "cpt18"].saves
        #expect(saved[named: "cpt76"].saves.map(\.path) == ["/srv/xen-save/ns1.save"])
        #expect(try Planner.plan(lab: lab(.suspended, on: "cpt18"), observed: saved).actions.isEmpty)

        let plan = try Planner.plan(lab: lab(.running, on: "cpt76"), observed: saved)
        #expect(lines(plan) == ["resume ns1@cpt76 none", "remove-stale-config ns1@cpt18 none ←0"])
        #expect(plan.actions[0].operations.last == .restore(domain: "ns1", directory: "/srv/xen-save"))
        #expect(
            plan.actions[0].reason
                == "declared running, suspended: restored from its save file, its memory state kept; declared on cpt76, which sees the file and reaches its disks: restored there directly"
        )
        var after = try applying(plan, to: saved)
        after[named: "cpt18"].saves = []  // one file: restoring removed it for both hosts
        #expect(try Planner.plan(lab: lab(.running, on: "cpt76"), observed: after).actions.isEmpty)
    }

    /// The save file on cpt18's own disk: declared on cpt76, it is restored on cpt18, and
    /// stays there, the plan saying why (its disk is local here: it cannot move live).
    @Test func aGuestSavedOnAnotherHostIsRestoredWhereItsFileIs() throws {
        let saved = try Self.suspended()
        let lab = Self.lab(www: .running) { $0.host = "cpt76" }
        let plan = try Planner.plan(lab: lab, observed: saved)
        #expect(lines(plan) == ["resume www@cpt18 none"])
        #expect(
            plan.actions[0].reason.hasSuffix(
                "; declared on cpt76, which cannot restore it: it stays here (see why in the migration-blocked notice)"))
        #expect(noticeLines(plan) == ["migration-blocked www@cpt18"])
        let after = try applying(plan, to: saved)
        #expect(after[named: "cpt18"].domain(named: "www") != nil)
        let next = try Planner.plan(lab: lab, observed: after)
        #expect(next.actions.isEmpty)
        #expect(noticeLines(next) == ["migration-blocked www@cpt18"])
    }

    @Test func aPlanDependingOnASaveFileGoesStaleWhenTheFileAppearsOrGoes() throws {
        let saved = try Self.suspended()
        let plan = try Planner.plan(lab: Std.lab(), observed: saved)
        #expect(plan.fingerprints["save/cpt18/www"] != nil)
        #expect(plan.objectSummaries["save/cpt18/www"] == ["files": "/var/lib/xenplan/save/www.save"])
        var gone = saved
        gone[named: "cpt18"].saves = []
        #expect(plan.staleObjects(comparedWith: gone) == ["save www on cpt18: gone since the plan was made"])
        #expect(plan.staleObjects(comparedWith: Planner.fingerprints(of: gone)) == ["save www on cpt18: gone since the plan was made"])

        let running = Fixture.converged(Std.lab())
        let suspend = try Planner.plan(lab: Self.lab(www: .suspended), observed: running)
        var appeared = running
        appeared[named: "cpt18"].saves = [SaveState(directory: Self.saveDir, domain: "www", size: .mib(512))]
        #expect(suspend.staleObjects(comparedWith: appeared) == ["save www on cpt18: appeared since the plan was made"])
    }

    @Test func targetingKeepsTheSuspendResumeAndRemovalsOfTheNamedDomain() throws {
        let running = Fixture.converged(Std.lab())
        var options = PlanOptions()
        options.domains = ["www"]
        let lab = Std.lab(Std.lab().domains.with("www") { $0.state = .suspended }.with("ns1") { $0.memory = .mib(384) })
        #expect(lines(try Planner.plan(lab: lab, observed: running, options: options)) == ["suspend www@cpt18 pause"])
        options.domains = ["ns1"]
        #expect(lines(try Planner.plan(lab: lab, observed: running, options: options)) == ["set-memory ns1@cpt18 live"])
        let saved = try Self.suspended()
        options.domains = ["www"]
        options.hosts = ["cpt18"]
        #expect(lines(try Planner.plan(lab: Std.lab(), observed: saved, options: options)) == ["resume www@cpt18 none"])
        #expect(lines(try Planner.plan(lab: Self.lab(www: .stopped), observed: saved, options: options)) == ["remove-save www@cpt18 destroy"])
    }

    /// Its disk on the SAN but its save file on cpt18's own disk: restored on cpt18, then
    /// moved live in the same apply, like any running guest declared elsewhere; one apply
    /// converges.
    @Test func aGuestRestoredAwayFromItsDeclaredHostMovesThereInTheSameApply() throws {
        let running = Fixture.converged(Std.lab())
        let suspend = Std.lab(Std.lab().domains.with("ns1") { $0.state = .suspended })
        let saved = try applying(try Planner.plan(lab: suspend, observed: running), to: running)
        let lab = Std.lab(Std.lab().domains.with("ns1") { $0.host = "cpt76" })
        let plan = try Planner.plan(lab: lab, observed: saved)
        #expect(lines(plan) == ["resume ns1@cpt18 none", "migrate ns1@cpt18→cpt76 pause ←0", "write-config ns1@cpt76 none ←1"])
        #expect(plan.actions[0].reason.hasSuffix("; declared on cpt76, which cannot restore it: it moves there live once it runs"))
        #expect(try Planner.plan(lab: lab, observed: try applying(plan, to: saved)).actions.isEmpty)
    }

    @Test func saveFilesOfGuestsNoLongerDeclared() throws {
        // Running, with a stale save file: destroyed, the file with it.
        var hosts = Fixture.converged(Std.lab())
        hosts[named: "cpt18"].saves = [SaveState(directory: Self.saveDir, domain: "www", size: .mib(512))]
        let lab = Std.lab([Std.ns1, Std.git])
        let plan = try Planner.plan(lab: lab, observed: hosts)
        #expect(lines(plan) == ["destroy www@cpt18 destroy"])
        #expect(
            plan.actions[0].operations == [
                .shutdown(domain: "www", timeoutSeconds: DomainSpec.defaultShutdownTimeout),
                .removeSave(domain: "www", directory: Self.saveDir, partial: false), .removeConfig(name: "www"),
            ])
        #expect(try Planner.plan(lab: lab, observed: try applying(plan, to: hosts)).actions.isEmpty)

        // A file on a host that has no configuration of it: removed on its own when the
        // guest is xenplan's (a configuration of it exists elsewhere), else left alone.
        var apart = try Self.suspended()
        apart[named: "cpt76"].saves = [SaveState(directory: Self.saveDir, domain: "www", size: .mib(512))]
        let both = try Planner.plan(lab: lab, observed: apart)
        #expect(lines(both) == ["destroy www@cpt18 destroy", "destroy www@cpt76 destroy ←0"])
        #expect(both.actions[1].operations == [.removeSave(domain: "www", directory: Self.saveDir, partial: false)])
        #expect(try Planner.plan(lab: lab, observed: try applying(both, to: apart)).actions.isEmpty)
        var stray = Fixture.converged(Std.lab())
        stray[named: "cpt76"].saves = [SaveState(directory: Self.saveDir, domain: "ghost", size: .mib(64))]
        let left = try Planner.plan(lab: Std.lab(), observed: stray)
        #expect(left.actions.isEmpty)
        #expect(
            left.notices.map(\.message) == [
                "/var/lib/xenplan/save/ghost.save on cpt76 is a save file of ghost, which is not declared and has no configuration: left alone"
            ])
    }

}

import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// The planner's share of "never harm the lab": one copy of every guest, no disk written
/// by two guests, targeting that selects without hiding, unknown hosts, N+1 per guest,
/// and identities chosen before `xl create` so that one apply converges.
@Suite struct PlannerSafetyTests {
    @Test func aStoppedGuestDeclaredOnAnotherHostStartsThereAndLeavesNoConfigurationBehind() throws {
        let lab = Std.lab(Std.lab().domains.with("ns1") { $0.host = "cpt76" })
        var observed = Fixture.converged(Std.lab())
        observed[0].removeDomain("ns1")
        let plan = try Planner.plan(lab: lab, observed: observed)
        #expect(lines(plan) == ["remove-stale-config ns1@cpt18 none", "start ns1@cpt76 none ←0"])
        let after = try applying(plan, to: observed)
        #expect(after[0].configs.map(\.name).contains("ns1") == false)
        #expect(try Planner.plan(lab: lab, observed: after).actions.isEmpty)
    }

    @Test func aGuestWhoseDiskAnotherRunningGuestUsesIsHeldBackWithANotice() throws {
        var observed = Fixture.converged(Std.lab())
        observed[0].removeDomain("www")
        observed[0].addDomain(Fixture.domainState("intruder", domid: 40, disks: [DiskState(vdev: "xvda", target: "/dev/mapper/vg18-www--root")]))
        let plan = try Planner.plan(lab: Std.lab(), observed: observed)
        #expect(lines(plan) == [])
        #expect(
            plan.notices.contains(
                Notice(
                    kind: .diskInUse, host: "cpt18", domain: "www",
                    message:
                        "www is not started: disk xvda (/dev/vg18/www-root) is attached to intruder on cpt18; it starts once that guest has let the disk go"
                )))
    }

    @Test func targetingAHostKeepsMigrationsIntoItAndNothingElse() throws {
        let lab = Std.lab(Std.lab().domains.with("ns1") { $0.memory = .mib(384) }.with("git") { $0.host = "cpt76" })
        var observed = Fixture.converged(Std.lab())
        // git runs on cpt18 although declared on cpt76.
        let git = observed[1].domains.first { $0.name == "git" }!
        observed[1].removeDomain("git", config: true)
        observed[0].addDomain(git, config: Fixture.config(Std.git, pools: Std.pools, host: "cpt18"))
        let all = try Planner.plan(lab: lab, observed: observed)
        #expect(Set(all.actions.map(\.kind)) == [.setMemory, .migrate, .writeConfig])
        let targeted = try Planner.plan(lab: lab, observed: observed, options: PlanOptions(hosts: ["cpt76"]))
        #expect(lines(targeted) == ["migrate git@cpt18→cpt76 pause", "write-config git@cpt76 none ←0"])
        #expect(
            targeted.hosts.first { $0.host == "cpt18" }?.memoryAfter
                == targeted.hosts.first { $0.host == "cpt18" }.map { u in
                    u.memoryBefore - Planner.footprint(of: git)
                })
    }

    @Test func anActionWhoseDependencyIsNotSelectedIsLeftOutAndSaidSo() throws {
        let hosts = [Fixture.hostSpec("cpt18", bridges: ["xenbr0", "xenbr1"]), Fixture.hostSpec("cpt76", bridges: ["xenbr0", "xenbr1"])]
        let web = Fixture.domain(
            "web", on: "cpt18", disks: [Fixture.disk("root", size: 1024, pool: "san")],
            network: [Fixture.nic("xenbr1", mac: "00:16:3e:00:00:01")])
        var observed = Fixture.converged(Fixture.lab(hosts: hosts, pools: Std.pools, domains: [web]))
        observed[1].bridges = observed[1].bridges.filter { $0.name != "xenbr1" }
        let lab = Fixture.lab(hosts: hosts, pools: Std.pools, domains: [[web].with("web") { $0.host = "cpt76" }[0]])
        let all = try Planner.plan(lab: lab, observed: observed)
        #expect(lines(all) == ["create-bridge xenbr1 on eth1@cpt76 none", "migrate web@cpt18→cpt76 pause ←0", "write-config web@cpt76 none ←1"])
        let targeted = try Planner.plan(lab: lab, observed: observed, options: PlanOptions(hosts: ["cpt18"]))
        #expect(lines(targeted) == [])
        #expect(
            targeted.notices.map(\.message) == [
                "left out: migrate cpt18 → cpt76, live (pool san is shared) needs #0 create-bridge xenbr1 on eth1 on cpt76, which the selection leaves out"
            ])
        let forWeb = try Planner.plan(lab: lab, observed: observed, options: PlanOptions(domains: ["web"]))
        #expect(lines(forWeb) == lines(all))
    }

    @Test func aGuestThatMayRunOnASkippedHostIsNeitherCreatedNorStarted() throws {
        let teach = Fixture.domain("teach", memory: 512, disks: [Fixture.disk("root", size: 1024, pool: "san")])
        let local = Fixture.domain("local", on: "cpt18", disks: [Fixture.disk("root", size: 1024, pool: "cpt18-local")])
        let lab = Std.lab(Std.lab().domains + [teach, local])
        let observed = [Fixture.converged(Std.lab())[0]]
        let plan = try Planner.plan(lab: lab, observed: observed, options: PlanOptions(unobservedHosts: ["cpt76": "connection refused"]))
        #expect(Set(plan.actions.compactMap(\.domain)) == ["local"])
        #expect(noticeLines(plan).filter { $0.hasPrefix("unknown") } == ["unknown git@cpt76", "unknown teach@-"])
        #expect(plan.nPlusOne == [])
        #expect(plan.nPlusOneNotChecked == "host cpt76 was not observed")
    }

    @Test func aGuestLastStartedOnASkippedHostIsLeftAloneEvenIfNowDeclaredElsewhere() throws {
        let moved = Fixture.domain("moved", on: "cpt18", disks: [Fixture.disk("root", size: 1024, pool: "cpt18-local")])
        let lab = Std.lab(Std.lab().domains + [moved])
        let observed = [Fixture.converged(Std.lab())[0]]
        let unknown = PlanOptions(unobservedHosts: ["cpt76": "connection refused"], lastStartedHosts: ["moved": "cpt76"])
        #expect(try !Planner.plan(lab: lab, observed: observed, options: unknown).actions.contains { $0.domain == "moved" })
        let fresh = PlanOptions(unobservedHosts: ["cpt76": "connection refused"])
        #expect(try Planner.plan(lab: lab, observed: observed, options: fresh).actions.contains { $0.domain == "moved" && $0.kind == .create })
    }

    @Test func oneHostAloneCannotRestartAnything() throws {
        let lab = Fixture.lab(hosts: [Std.hosts[0]], pools: [Std.pools[0]], domains: [Std.www])
        let plan = try Planner.plan(lab: lab, observed: Fixture.converged(lab))
        #expect(plan.nPlusOne == [NPlusOne(failedHost: "cpt18", reasons: [.init(domain: "www", reason: "no other host")], shortfall: .zero)])
    }

    @Test func aGuestOnABridgeAnotherHostLacksCannotRestartThere() throws {
        let hosts = [Fixture.hostSpec("cpt18", bridges: ["xenbr0", "dmz"]), Fixture.hostSpec("cpt76")]
        let web = Fixture.domain(
            "web", on: "cpt18", disks: [Fixture.disk("root", size: 1024, pool: "san")],
            network: [Fixture.nic("dmz", mac: "00:16:3e:00:00:02")])
        let lab = Fixture.lab(hosts: hosts, pools: Std.pools, domains: [Std.ns1, web])
        let plan = try Planner.plan(lab: lab, observed: Fixture.converged(lab))
        #expect(
            plan.nPlusOne == [NPlusOne(failedHost: "cpt18", reasons: [.init(domain: "web", reason: "bridge dmz is not on cpt76")], shortfall: .zero)])
    }

    @Test func aNewGuestWithoutAMacGetsOneBeforeCreateAndOneApplyConverges() throws {
        let bare = Fixture.domain("bare", on: "cpt76", network: [Fixture.nic(), Fixture.nic()])
        let lab = Std.lab(Std.lab().domains + [bare])
        let observed = Fixture.converged(Std.lab())
        let plan = try Planner.plan(lab: lab, observed: observed)
        let create = try #require(plan.actions.first { $0.kind == .create })
        guard case let .writeConfig(config)? = create.operations.first else { Issue.record("no configuration written"); return }
        let macs = config.nics.compactMap(\.mac)
        #expect(macs.count == 2 && Set(macs).count == 2)
        #expect(macs.allSatisfy { $0.hasPrefix("00:16:3e:") })
        let used = Set(observed.flatMap { $0.domains.flatMap { $0.nics.map(\.mac) } })
        #expect(used.isDisjoint(with: macs))
        #expect(config.uuid == StableIdentity.uuid("test/bare"))
        #expect(try Planner.plan(lab: lab, observed: observed) == plan)
        #expect(try Planner.plan(lab: lab, observed: try applying(plan, to: observed)).actions.isEmpty)
    }

    @Test func aChosenMacNeverTakesOneAlreadyInTheLab() throws {
        let first = StableIdentity.xenMAC("test/bare/0")
        let squatter = Fixture.domain("squatter", on: "cpt18", network: [Fixture.nic(mac: first)])
        let bare = Fixture.domain("bare", on: "cpt76", network: [Fixture.nic()])
        let lab = Std.lab(Std.lab().domains + [squatter, bare])
        let plan = try Planner.plan(lab: lab, observed: Fixture.converged(Std.lab()))
        let create = try #require(plan.actions.first { $0.kind == .create && $0.domain == "bare" })
        guard case let .writeConfig(config)? = create.operations.first else { Issue.record("no configuration written"); return }
        #expect(config.nics.first?.mac == StableIdentity.xenMAC("test/bare/0/1"))
    }
}

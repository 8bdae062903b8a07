import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// One row of the planner table: desired + observed → expected actions (kind, name, host,
/// class, balloon wait, dependencies, in order) and notices.
struct PlannerCase: Sendable, CustomTestStringConvertible {
    var name: String
    var make: @Sendable () -> (Lab, [HostState], PlanOptions)
    var actions: [String]
    var notices: [String] = []
    var testDescription: String { name }
}

/// A lab and the converged observation of another lab (the "before" state).
@Sendable func drift(
    _ desired: Lab, from before: Lab, options: PlanOptions = PlanOptions(),
    _ edit: (inout [HostState]) -> Void = { _ in }
) -> (Lab, [HostState], PlanOptions) {
    var hosts = Fixture.converged(before)
    edit(&hosts)
    return (desired, hosts, options)
}

/// Two 4 GiB hosts (3008 MiB for guests each) sharing a SAN, for capacity cases.
enum Small {
    static let hosts = [Fixture.hostSpec("cpt18", memory: .gib(4)), Fixture.hostSpec("cpt76", memory: .gib(4))]
    static func onSan(_ name: String, on host: String?, memory: Int64) -> DomainSpec {
        Fixture.domain(name, on: host, memory: memory, disks: [Fixture.disk("root", size: 1024, pool: "san")])
    }
}

let cases: [PlannerCase] = [
    PlannerCase(
        name: "a half-built incoming copy beside the running domain is discarded",
        make: {
            drift(Std.lab(), from: Std.lab()) {
                $0[named: "cpt76"].addDomain(Fixture.domainState("www", domid: 60))
                $0[named: "cpt76"].updateDomain("www") { $0.transient = .incoming }
            }
        }, actions: ["recover-migration www@cpt76 none"]),
    PlannerCase(
        name: "a dying domain is left until it is gone",
        make: {
            drift(Std.lab(), from: Std.lab()) {
                $0[named: "cpt18"].updateDomain("www") { $0.state = .dying }
            }
        }, actions: [], notices: ["in-transition www@cpt18"]),
    PlannerCase(name: "converged lab plans nothing", make: { drift(Std.lab(), from: Std.lab()) }, actions: []),
    PlannerCase(
        name: "memory up, live",
        make: {
            drift(Std.lab(Std.lab().domains.with("www") { $0.memory = .mib(768) }), from: Std.lab())
        }, actions: ["set-memory www@cpt18 live"]),
    PlannerCase(
        name: "memory down waits for the balloon",
        make: {
            drift(Std.lab(Std.lab().domains.with("ns1") { $0.memory = .mib(128) }), from: Std.lab())
        }, actions: ["set-memory ns1@cpt18 live ⏳"]),
    PlannerCase(
        name: "memory above static-max is a pending restart",
        make: {
            drift(
                Std.lab(
                    Std.lab().domains.with("www") {
                        $0.memory = .mib(2048); $0.maxmem = .mib(2048)
                    }), from: Std.lab())
        }, actions: ["write-config www@cpt18 none"], notices: ["pending-restart www@cpt18"]),
    PlannerCase(
        name: "restart: allowed restarts",
        make: {
            drift(
                Std.lab(
                    Std.lab().domains.with("www") {
                        $0.memory = .mib(2048); $0.maxmem = .mib(2048); $0.restart = .allowed
                    }),
                from: Std.lab())
        }, actions: ["restart www@cpt18 restart"]),
    PlannerCase(
        name: "--allow-restart restarts",
        make: {
            drift(
                Std.lab(
                    Std.lab().domains.with("www") {
                        $0.memory = .mib(2048); $0.maxmem = .mib(2048)
                    }), from: Std.lab(),
                options: PlanOptions(allowRestart: true))
        }, actions: ["restart www@cpt18 restart"]),
    PlannerCase(
        name: "vCPUs, live",
        make: {
            drift(Std.lab(Std.lab().domains.with("ns1") { $0.vcpus = 2 }), from: Std.lab())
        }, actions: ["set-vcpus ns1@cpt18 live"]),
    PlannerCase(
        name: "vCPUs above maxvcpus pend, live memory still applied",
        make: {
            drift(
                Std.lab(
                    Std.lab().domains.with("git") {
                        $0.vcpus = 4; $0.maxvcpus = 4; $0.memory = .mib(512)
                    }), from: Std.lab())
        }, actions: ["set-memory git@cpt76 live ⏳"], notices: ["pending-restart git@cpt76"]),
    PlannerCase(
        name: "scheduler weight and cap",
        make: {
            drift(
                Std.lab(
                    Std.lab().domains.with("www") {
                        $0.cpuWeight = 512; $0.cpuCap = 50
                    }), from: Std.lab())
        }, actions: ["set-scheduler www@cpt18 live"]),
    PlannerCase(
        name: "managed, no longer declared: destroyed, volumes kept",
        make: {
            drift(Std.lab([Std.ns1, Std.git]), from: Std.lab())
        }, actions: ["destroy www@cpt18 destroy"], notices: ["orphan-volume www@cpt18"]),
    PlannerCase(
        name: "protect blocks destroy",
        make: {
            drift(Std.lab([Std.ns1, Std.git]), from: Std.lab()) { $0[named: "cpt18"].updateConfig("www") { $0.protect = true } }
        }, actions: [], notices: ["protected www@cpt18"]),
    PlannerCase(
        name: "unmanaged domain left alone",
        make: {
            drift(Std.lab(), from: Std.lab()) { $0[named: "cpt18"].addDomain(Fixture.domainState("tmpbox", domid: 40)) }
        }, actions: [], notices: ["unmanaged tmpbox@cpt18"]),
    PlannerCase(
        name: "--prune destroys unmanaged",
        make: {
            drift(Std.lab(), from: Std.lab(), options: PlanOptions(prune: true)) {
                $0[named: "cpt18"].addDomain(Fixture.domainState("tmpbox", domid: 40))
            }
        }, actions: ["destroy tmpbox@cpt18 destroy"]),
    PlannerCase(
        name: "declared unmanaged domain is adopted",
        make: {
            drift(Std.lab(), from: Std.lab()) { $0[named: "cpt18"].configs.removeAll { $0.name == "www" } }
        }, actions: ["write-config www@cpt18 none"]),
    PlannerCase(
        name: "adopted, then changed live",
        make: {
            drift(Std.lab(Std.lab().domains.with("www") { $0.memory = .mib(768) }), from: Std.lab()) {
                $0[named: "cpt18"].configs.removeAll { $0.name == "www" }
            }
        }, actions: ["write-config www@cpt18 none", "set-memory www@cpt18 live ←0"]),
    PlannerCase(
        name: "create with volumes",
        make: {
            let web = Fixture.domain(
                "web", on: "cpt18", memory: 512,
                disks: [
                    Fixture.disk("root", size: 8192, vdev: "xvda", pool: "cpt18-local"),
                    Fixture.disk("data", size: 1024, vdev: "xvdb", pool: "san"),
                ])
            return drift(Std.lab(Std.lab().domains + [web]), from: Std.lab())
        },
        actions: [
            "create-volume vg18/web-root 8 GiB@cpt18 none", "create-volume san/web-data 1 GiB@cpt18 none",
            "create web@cpt18 none ←0,1",
        ]),
    PlannerCase(
        name: "grow volume, live",
        make: {
            drift(Std.lab(Std.lab().domains.with("www") { $0.disks[0].size = .mib(6144) }), from: Std.lab())
        }, actions: ["grow-volume vg18/www-root 4 GiB → 6 GiB@cpt18 live"]),
    PlannerCase(
        name: "shrink refused",
        make: {
            drift(Std.lab(Std.lab().domains.with("www") { $0.disks[0].size = .mib(2048) }), from: Std.lab())
        }, actions: [], notices: ["shrink-refused www@cpt18"]),
    PlannerCase(
        name: "disk removed: detached, volume orphaned",
        make: {
            let before = Std.lab(
                Std.lab().domains.with("www") { $0.disks.append(Fixture.disk("data", size: 1024, vdev: "xvdb", pool: "cpt18-local")) })
            return drift(Std.lab(), from: before)
        }, actions: ["detach-disk www@cpt18 live"], notices: ["orphan-volume www@cpt18"]),
    PlannerCase(
        name: "disk removed with --allow-data-loss: volume removed after the detach",
        make: {
            let before = Std.lab(
                Std.lab().domains.with("www") { $0.disks.append(Fixture.disk("data", size: 1024, vdev: "xvdb", pool: "cpt18-local")) })
            return drift(Std.lab(), from: before, options: PlanOptions(allowDataLoss: true))
        }, actions: ["detach-disk www@cpt18 live", "remove-volume vg18/www-data 1 GiB@cpt18 data-loss ←0"]),
    PlannerCase(
        name: "disk added: volume, then attach",
        make: {
            drift(
                Std.lab(Std.lab().domains.with("www") { $0.disks.append(Fixture.disk("data", size: 1024, vdev: "xvdb", pool: "cpt18-local")) }),
                from: Std.lab())
        }, actions: ["create-volume vg18/www-data 1 GiB@cpt18 none", "attach-disk www@cpt18 live ←0"]),
    PlannerCase(
        name: "migrate on a shared pool; configuration follows",
        make: {
            drift(Std.lab(Std.lab().domains.with("ns1") { $0.host = "cpt76" }), from: Std.lab())
        }, actions: ["migrate ns1@cpt18→cpt76 pause", "write-config ns1@cpt76 none ←0"]),
    PlannerCase(
        name: "migration blocked: pool not shared",
        make: {
            drift(Std.lab(Std.lab().domains.with("www") { $0.host = "cpt76" }), from: Std.lab())
        }, actions: [], notices: ["migration-blocked www@cpt18"]),
    PlannerCase(
        name: "migration blocked: bridge missing on the target",
        make: {
            let hosts = [Fixture.hostSpec("cpt18", bridges: ["xenbr0", "xenbr1"]), Fixture.hostSpec("cpt76")]
            let ns1 = Std.ns1
            var moved = ns1
            moved.network.append(Fixture.nic("xenbr1", mac: "00:16:3e:00:00:01"))
            var before = moved
            before.host = "cpt18"
            moved.host = "cpt76"
            return drift(Std.lab([moved], hosts: hosts), from: Std.lab([before], hosts: hosts))
        }, actions: [], notices: ["migration-blocked ns1@cpt18"]),
    PlannerCase(
        name: "migration blocked: different Xen versions",
        make: {
            drift(Std.lab(Std.lab().domains.with("ns1") { $0.host = "cpt76" }), from: Std.lab()) { $0[named: "cpt76"].xenVersion = "4.16.2" }
        }, actions: [], notices: ["migration-blocked ns1@cpt18"]),
    PlannerCase(
        name: "bridge created before the domain that uses it",
        make: {
            let hosts = [Fixture.hostSpec("cpt18", bridges: ["xenbr0", "xenbr1"]), Fixture.hostSpec("cpt76")]
            let lab1 = Fixture.domain("lab1", on: "cpt18", network: [Fixture.nic("xenbr1", mac: "00:16:3e:00:00:02")])
            return drift(Std.lab(Std.lab().domains + [lab1], hosts: hosts), from: Std.lab()) { _ in }
        }, actions: ["create-bridge xenbr1 on eth1@cpt18 none", "create lab1@cpt18 none ←0"]),
    PlannerCase(
        name: "declared stopped: shut down",
        make: {
            drift(Std.lab(Std.lab().domains.with("www") { $0.state = .stopped }), from: Std.lab())
        }, actions: ["stop www@cpt18 restart"]),
    PlannerCase(
        name: "configuration only: started",
        make: {
            drift(Std.lab(), from: Std.lab()) { $0[named: "cpt18"].removeDomain("www") }
        }, actions: ["start www@cpt18 none"]),
    PlannerCase(
        name: "crashed: cleared and started",
        make: {
            drift(Std.lab(), from: Std.lab()) { $0[named: "cpt18"].updateDomain("www") { $0.state = .crashed } }
        }, actions: ["start www@cpt18 none"]),
    PlannerCase(
        name: "placement: most free memory",
        make: {
            drift(Std.lab(Std.lab().domains + [Fixture.domain("ns3")]), from: Std.lab())
        }, actions: ["create ns3@cpt18 none"]),
    PlannerCase(
        name: "placement: spread group picks the other host",
        make: {
            let groups = [GroupSpec(name: "dns", spread: true)]
            let domains = Std.lab().domains.with("ns1") { $0.group = "dns" } + [Fixture.domain("ns2", group: "dns")]
            return drift(Std.lab(domains, groups: groups), from: Std.lab())
        }, actions: ["create ns2@cpt76 none"]),
    PlannerCase(
        name: "placement: spread with one host is a notice",
        make: {
            let groups = [GroupSpec(name: "dns", spread: true)]
            let hosts = [Fixture.hostSpec("cpt18")]
            let domains = [Std.ns1].with("ns1") { $0.group = "dns" } + [Fixture.domain("ns2", group: "dns")]
            return drift(Std.lab(domains, hosts: hosts, groups: groups), from: Std.lab([Std.ns1], hosts: hosts))
        }, actions: [], notices: ["unplaceable ns2@-"]),
    PlannerCase(
        name: "placement is stable for an existing domain",
        make: {
            // app runs on the fuller host and has no host: it stays.
            let app = Fixture.domain("app", on: "cpt76", memory: 4096)
            var free = app
            free.host = nil
            return drift(Std.lab(Std.lab().domains + [free]), from: Std.lab(Std.lab().domains + [app]))
        }, actions: []),
    PlannerCase(
        name: "MAC case and empty IP are normalised",
        make: {
            drift(Std.lab(), from: Std.lab()) {
                $0[named: "cpt18"].updateDomain("ns1") {
                    $0.nics[0].mac = $0.nics[0].mac.uppercased(); $0.nics[0].ip = ""
                }
            }
        }, actions: []),
    PlannerCase(
        name: "NIC added, live",
        make: {
            drift(Std.lab(Std.lab().domains.with("ns1") { $0.network.append(Fixture.nic(mac: "00:16:3e:00:00:03")) }), from: Std.lab())
        }, actions: ["attach-nic ns1@cpt18 live"]),
    PlannerCase(
        name: "NIC not declared, detached",
        make: {
            drift(Std.lab(), from: Std.lab()) {
                $0[named: "cpt18"].updateDomain("ns1") { $0.nics.append(NicState(bridge: "xenbr0", mac: "00:16:3e:00:00:04")) }
            }
        }, actions: ["detach-nic ns1@cpt18 live"]),
    PlannerCase(
        name: "--domain limits the plan",
        make: {
            drift(
                Std.lab(Std.lab().domains.with("www") { $0.memory = .mib(768) }.with("ns1") { $0.memory = .mib(128) }),
                from: Std.lab(), options: PlanOptions(domains: ["ns1"]))
        }, actions: ["set-memory ns1@cpt18 live ⏳"]),
    PlannerCase(
        name: "--host limits the plan",
        make: {
            drift(
                Std.lab(Std.lab().domains.with("www") { $0.memory = .mib(768) }.with("git") { $0.memory = .mib(512) }),
                from: Std.lab(), options: PlanOptions(hosts: ["cpt76"]))
        }, actions: ["set-memory git@cpt76 live ⏳"]),
    PlannerCase(
        name: "create waits for the destroy that frees its memory",
        make: {
            let old = Fixture.domain("old", on: "cpt18", memory: 2048)
            let big = Fixture.domain("big", on: "cpt18", memory: 1536)
            return drift(
                Fixture.lab(hosts: Small.hosts, pools: Std.pools, domains: [big]),
                from: Fixture.lab(hosts: Small.hosts, pools: Std.pools, domains: [old]))
        }, actions: ["destroy old@cpt18 destroy", "create big@cpt18 none ←0"]),
    PlannerCase(
        name: "migration fits only after another domain shrinks",
        make: {
            let app = Small.onSan("app", on: "cpt18", memory: 1024)
            var db = Fixture.domain("db", on: "cpt76", memory: 2560)
            let before = Fixture.lab(hosts: [Fixture.hostSpec("cpt18"), Small.hosts[1]], pools: Std.pools, domains: [app, db])
            db.memory = .mib(1024)
            var moved = app
            moved.host = "cpt76"
            return drift(Fixture.lab(hosts: before.hosts, pools: Std.pools, domains: [moved, db]), from: before)
        }, actions: ["set-memory db@cpt76 live ⏳", "migrate app@cpt18→cpt76 pause ←0", "write-config app@cpt76 none ←1"]),
    PlannerCase(
        name: "at most one migration into a host at a time",
        make: {
            let names = ["a", "b", "c"]
            let before = Std.lab(names.map { Small.onSan($0, on: "cpt18", memory: 256) })
            return drift(Std.lab(names.map { Small.onSan($0, on: "cpt76", memory: 256) }), from: before)
        },
        actions: [
            "migrate a@cpt18→cpt76 pause", "write-config a@cpt76 none ←0", "migrate b@cpt18→cpt76 pause ←0",
            "write-config b@cpt76 none ←2", "migrate c@cpt18→cpt76 pause ←2", "write-config c@cpt76 none ←4",
        ]),
    PlannerCase(
        name: "two migrations per host when configured",
        make: {
            let names = ["a", "b", "c"]
            let before = Std.lab(names.map { Small.onSan($0, on: "cpt18", memory: 256) })
            return drift(
                Std.lab(names.map { Small.onSan($0, on: "cpt76", memory: 256) }), from: before,
                options: PlanOptions(maxMigrationsPerHost: 2))
        },
        actions: [
            "migrate a@cpt18→cpt76 pause", "write-config a@cpt76 none ←0", "migrate b@cpt18→cpt76 pause",
            "write-config b@cpt76 none ←2", "migrate c@cpt18→cpt76 pause ←0", "write-config c@cpt76 none ←4",
        ]),
]

@Test(arguments: cases)
func plannerCase(_ c: PlannerCase) throws {
    let (lab, observed, options) = c.make()
    let plan = try Planner.plan(lab: lab, observed: observed, options: options)
    #expect(lines(plan) == c.actions)
    #expect(noticeLines(plan) == c.notices)
    // Whatever the case, ids are positions and dependencies point backwards.
    for (i, a) in plan.actions.enumerated() {
        #expect(a.id == i)
        #expect(a.dependsOn.allSatisfy { $0 < i })
    }
}

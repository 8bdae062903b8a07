import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

struct RefusalCase: Sendable, CustomTestStringConvertible {
    var name: String
    var make: @Sendable () -> (Lab, [HostState], PlanOptions)
    var hosts: [String]
    var domains: [String]
    var shortfall: ByteSize
    var message: String
    var testDescription: String { name }
}

let refusals: [RefusalCase] = [
    RefusalCase(
        name: "two full hosts that must swap domains",
        make: {
            // 2011 MiB + 5 MiB overhead = 2016 MiB each; 3008 MiB for guests per host.
            let before = Fixture.lab(
                hosts: Small.hosts, pools: Std.pools,
                domains: [
                    Small.onSan("app1", on: "cpt18", memory: 2011), Small.onSan("app2", on: "cpt76", memory: 2011),
                ])
            let after = Fixture.lab(
                hosts: Small.hosts, pools: Std.pools,
                domains: [
                    Small.onSan("app1", on: "cpt76", memory: 2011), Small.onSan("app2", on: "cpt18", memory: 2011),
                ])
            return drift(after, from: before)
        }, hosts: ["cpt18", "cpt76"], domains: ["app1", "app2"], shortfall: .mib(1024),
        message:
            "cannot order the migrations of app1 (cpt18 → cpt76) and app2 (cpt76 → cpt18): cpt18 lacks 1024 MiB and cpt76 lacks 1024 MiB while both hold their memory; make room on one of them or change the manifests"
    ),
    RefusalCase(
        name: "a create that never fits",
        make: {
            drift(
                Fixture.lab(hosts: Small.hosts, pools: Std.pools, domains: [Fixture.domain("huge", on: "cpt18", memory: 4096)]),
                from: Fixture.lab(hosts: Small.hosts, pools: Std.pools))
        }, hosts: ["cpt18"], domains: ["huge"], shortfall: .mib(1097),
        message: "cannot order create of huge on cpt18: cpt18 lacks 1097 MiB; make room on cpt18 or change the manifests"),
    RefusalCase(
        name: "placement finds no room",
        make: {
            drift(
                Fixture.lab(hosts: Small.hosts, pools: Std.pools, domains: [Fixture.domain("huge", memory: 4096)]),
                from: Fixture.lab(hosts: Small.hosts, pools: Std.pools))
        }, hosts: ["cpt18"], domains: ["huge"], shortfall: .mib(1097),
        message: "cannot place huge (4 GiB, 1 vCPU): no host has room; the most free is cpt18 with 2.9 GiB and 32 vCPUs, 1097 MiB short"),
    RefusalCase(
        name: "group quota exceeded",
        make: {
            let groups = [GroupSpec(name: "teaching", memory: .gib(1))]
            let domains = [
                Fixture.domain("t1", on: "cpt18", memory: 768, group: "teaching"),
                Fixture.domain("t2", on: "cpt76", memory: 512, group: "teaching"),
            ]
            return drift(Std.lab(domains, groups: groups), from: Std.lab([]))
        }, hosts: [], domains: ["t1", "t2"], shortfall: .mib(256),
        message: "group teaching would use 1.3 GiB of memory, quota 1 GiB: 256 MiB over (t1, t2); lower its members' memory or raise the quota"),
    RefusalCase(
        name: "vCPU ratio exceeded",
        make: {
            let hosts = [Fixture.hostSpec("cpt18", cpus: 2, vcpuRatio: 2)]
            return drift(
                Fixture.lab(hosts: hosts, pools: Std.pools, domains: [Fixture.domain("wide", on: "cpt18", vcpus: 6)]),
                from: Fixture.lab(hosts: hosts, pools: Std.pools))
        }, hosts: ["cpt18"], domains: ["wide"], shortfall: .zero,
        message: "cannot order create of wide on cpt18: cpt18 lacks 2 vCPUs; make room on cpt18 or change the manifests"),
]

@Test(arguments: refusals)
func plannerRefusal(_ c: RefusalCase) {
    let (lab, observed, options) = c.make()
    #expect(throws: PlanRefusal.self) { try Planner.plan(lab: lab, observed: observed, options: options) }
    do {
        _ = try Planner.plan(lab: lab, observed: observed, options: options)
    } catch {
        #expect(error.hosts == c.hosts)
        #expect(error.domains == c.domains)
        #expect(error.shortfall == c.shortfall)
        #expect(error.message == c.message)
    }
}

@Test func swapFitsWhenOneHostHasRoomForBoth() throws {
    // The same swap with room for one extra domain on cpt76: the planner orders it.
    let big = [Fixture.hostSpec("cpt18", memory: .gib(4)), Fixture.hostSpec("cpt76", memory: .gib(8))]
    let before = Fixture.lab(
        hosts: big, pools: Std.pools,
        domains: [
            Small.onSan("app1", on: "cpt18", memory: 2011), Small.onSan("app2", on: "cpt76", memory: 2011),
        ])
    let after = Fixture.lab(
        hosts: big, pools: Std.pools,
        domains: [
            Small.onSan("app1", on: "cpt76", memory: 2011), Small.onSan("app2", on: "cpt18", memory: 2011),
        ])
    let plan = try Planner.plan(lab: after, observed: Fixture.converged(before))
    #expect(
        lines(plan) == [
            "migrate app1@cpt18→cpt76 pause", "write-config app1@cpt76 none ←0",
            "migrate app2@cpt76→cpt18 pause ←0", "write-config app2@cpt18 none ←2",
        ])
    #expect(plan.actions[2].reason.contains("after migrate app1 on cpt18: order for memory"))
}

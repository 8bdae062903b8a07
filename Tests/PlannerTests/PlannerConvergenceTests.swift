import Foundation
import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// Applying a plan's operations and planning again must give no actions: no endless diffs.
struct ConvergenceCase: Sendable, CustomTestStringConvertible {
    var name: String
    var make: @Sendable () -> (Lab, [HostState], PlanOptions)
    var testDescription: String { name }
}

let convergenceCases: [ConvergenceCase] = [
    ConvergenceCase(name: "from empty hosts") {
        (Std.lab(), Std.hosts.map { Fixture.hostState($0.name) }, PlanOptions())
    },
    ConvergenceCase(name: "mid-life lab: drift of every kind") {
        var desired = Std.lab().domains
            .with("www") {
                $0.memory = .mib(768); $0.disks.append(Fixture.disk("data", size: 1024, vdev: "xvdb", pool: "cpt18-local"))
            }
            .with("ns1") {
                $0.host = "cpt76"; $0.vcpus = 2; $0.network.append(Fixture.nic(mac: "00:16:3e:00:00:09"))
            }
            .with("git") {
                $0.cpuWeight = 512; $0.disks[0].size = .mib(10240)
            }
        desired.append(Fixture.domain("conf-web", memory: 512, disks: [Fixture.disk("root", size: 2048, pool: "san")]))
        desired.append(Fixture.domain("stopped", on: "cpt18", state: .stopped))
        let before = Std.lab(
            Std.lab().domains + [
                Fixture.domain(
                    "old-test", on: "cpt18", memory: 1024,
                    disks: [Fixture.disk("root", size: 1024, pool: "cpt18-local")])
            ])
        var hosts = Fixture.converged(before)
        hosts[named: "cpt18"].configs.removeAll { $0.name == "www" }  // adopt
        hosts[named: "cpt76"].updateDomain("git") {
            $0.memoryTarget = .mib(900); $0.memoryActual = .mib(900)
        }  // xl mem-set by hand
        return (Fixture.lab(hosts: Std.hosts, pools: Std.pools, domains: desired), hosts, PlanOptions(allowDataLoss: true))
    },
    ConvergenceCase(name: "restarts and stops") {
        let desired = Std.lab().domains
            .with("www") {
                $0.memory = .mib(2048); $0.maxmem = .mib(2048); $0.restart = .allowed
            }
            .with("git") { $0.state = .stopped }
        return (Std.lab(desired), Fixture.converged(Std.lab()), PlanOptions())
    },
    ConvergenceCase(name: "capacity-ordered shrink and migration") {
        let app = Small.onSan("app", on: "cpt18", memory: 1024)
        var db = Fixture.domain("db", on: "cpt76", memory: 2560)
        let before = Fixture.lab(hosts: [Fixture.hostSpec("cpt18"), Small.hosts[1]], pools: Std.pools, domains: [app, db])
        db.memory = .mib(1024)
        var moved = app
        moved.host = "cpt76"
        return (Fixture.lab(hosts: before.hosts, pools: Std.pools, domains: [moved, db]), Fixture.converged(before), PlanOptions())
    },
]

@Test(arguments: convergenceCases)
func replanAfterApplyIsEmpty(_ c: ConvergenceCase) throws {
    let (lab, observed, options) = c.make()
    let plan = try Planner.plan(lab: lab, observed: observed, options: options)
    #expect(!plan.isEmpty)
    let after = try applying(plan, to: observed)
    let again = try Planner.plan(lab: lab, observed: after, options: options)
    #expect(lines(again) == [])
    #expect(!again.notices.contains { $0.kind == .pendingRestart })
}

@Test func pendingRestartStaysANoticeAfterApply() throws {
    let lab = Std.lab(
        Std.lab().domains.with("www") {
            $0.memory = .mib(2048); $0.maxmem = .mib(2048)
        })
    let observed = Fixture.converged(Std.lab())
    let plan = try Planner.plan(lab: lab, observed: observed)
    let again = try Planner.plan(lab: lab, observed: try applying(plan, to: observed))
    #expect(lines(again) == [])
    #expect(noticeLines(again) == ["pending-restart www@cpt18"])
}

@Test func plansAreDeterministic() throws {
    let (lab, observed, options) = convergenceCases[1].make()
    let a = try Planner.plan(lab: lab, observed: observed, options: options)
    let b = try Planner.plan(lab: lab, observed: observed.reversed(), options: options)
    #expect(a == b)
}

@Test func nPlusOneListsStrandedDomains() throws {
    // cpt76 has 3008 MiB for guests; cpt18 runs big (4105 MiB with overhead), www, ns1.
    let hosts = [Fixture.hostSpec("cpt18"), Fixture.hostSpec("cpt76", memory: .gib(4))]
    let lab = Std.lab(Std.lab().domains + [Fixture.domain("big", on: "cpt18", memory: 4096)], hosts: hosts)
    let plan = try Planner.plan(lab: lab, observed: Fixture.converged(lab))
    #expect(plan.isEmpty)
    #expect(
        plan.nPlusOne == [
            NPlusOne(
                failedHost: "cpt18",
                reasons: [
                    .init(domain: "big", reason: "no room: needs 4.0 GiB, the most free is 1.9 GiB (2124 MiB short)"),
                    .init(domain: "www", reason: "disk xvda is on pool cpt18-local, which is not shared"),
                ], shortfall: .mib(2124))
        ])
}

@Test func hostUsageBeforeAndAfter() throws {
    let lab = Std.lab(Std.lab().domains.with("ns1") { $0.host = "cpt76" })
    let plan = try Planner.plan(lab: lab, observed: Fixture.converged(Std.lab()))
    // Footprints: ns1 256 + 2 MiB overhead (maxmem 512 MiB); www 512 + 3; git 1024 + 3.
    #expect(
        plan.hosts == [
            HostUsage(
                host: "cpt18", memoryBefore: .mib(773), memoryAfter: .mib(515), memoryAvailable: .mib(15104),
                vcpusBefore: 2, vcpusAfter: 1, vcpuLimit: 32, domainsBefore: 2, domainsAfter: 1),
            HostUsage(
                host: "cpt76", memoryBefore: .mib(1027), memoryAfter: .mib(1285), memoryAvailable: .mib(15104),
                vcpusBefore: 2, vcpusAfter: 3, vcpuLimit: 32, domainsBefore: 1, domainsAfter: 2),
        ])
}

@Test func planRoundTripsThroughJSON() throws {
    let (lab, observed, options) = convergenceCases[1].make()
    let plan = try Planner.plan(lab: lab, observed: observed, options: options)
    let data = try JSONEncoder().encode(plan)
    #expect(try JSONDecoder().decode(Plan.self, from: data) == plan)
}

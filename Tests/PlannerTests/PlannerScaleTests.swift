import HostModel
import Manifest
@testable import Planner
import Testing
import XenplanBasics
import XenplanTestSupport

/// 200 hosts × 50 domains: the planner must stay near-linear (release builds plan this in
/// well under a second; debug builds are several times slower, hence the loose bound).
@Test func tenThousandDomainsOnTwoHundredHosts() throws {
    let hostNames = (0..<200).map { "h\($0)" }
    let hosts = hostNames.map { Fixture.hostSpec($0, memory: .gib(64), cpus: 32) }
    let pools = [Fixture.lvm("san", hosts: hostNames, shared: true)]
    var domains: [DomainSpec] = []
    for (i, h) in hostNames.enumerated() {
        for j in 0..<50 {
            domains.append(Fixture.domain("d\(i)-\(j)", on: h, memory: 512, maxmem: 1024,
                                          disks: [Fixture.disk("root", size: 1024, pool: "san")]))
        }
    }
    let before = Fixture.lab(hosts: hosts, pools: pools, domains: domains)
    let observed = Fixture.converged(before)
    // 1% of the domains drift: memory, a move, a new one per host.
    var desired = domains
    for k in stride(from: 0, to: desired.count, by: 100) {
        desired[k].memory = .mib(768)
        desired[k + 1].host = "h\((k / 50 + 1) % 200)"
    }
    for h in hostNames { desired.append(Fixture.domain("new-\(h)", memory: 256)) }
    let lab = Fixture.lab(hosts: hosts, pools: pools, domains: desired)
    let clock = ContinuousClock()
    var plan: Plan?
    let elapsed = try clock.measure { plan = try Planner.plan(lab: lab, observed: observed) }
    #expect(plan?.countsByKind[.setMemory] == 100)
    #expect(plan?.countsByKind[.migrate] == 100)
    #expect(plan?.countsByKind[.create] == 200)
    #expect(elapsed < .seconds(15), "planning took \(elapsed)")
    print("planned 10,000 domains on 200 hosts in \(elapsed)")
}

import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// 200 hosts × 50 domains: the plan at this scale is the expected one. How fast it comes
/// is measured by `make bench` (docs/benchmarks.md), not asserted here: a loaded machine
/// would make a time bound fail for nothing.
@Test func tenThousandDomainsOnTwoHundredHosts() throws {
    let hostNames = (0..<200).map { "h\($0)" }
    let hosts = hostNames.map { Fixture.hostSpec($0, memory: .gib(64), cpus: 32) }
    // Twenty SANs, each shared by ten hosts: every host sees its SAN's 500 volumes.
    let pools = (0..<20).map { g in Fixture.lvm("san\(g)", hosts: (0..<10).map { "h\(g * 10 + $0)" }, shared: true) }
    var domains: [DomainSpec] = []
    for (i, h) in hostNames.enumerated() {
        for j in 0..<50 {
            domains.append(
                Fixture.domain(
                    "d\(i)-\(j)", on: h, memory: 512, maxmem: 1024,
                    disks: [Fixture.disk("root", size: 1024, pool: "san\(i / 10)")]))
        }
    }
    let before = Fixture.lab(hosts: hosts, pools: pools, domains: domains)
    let observed = Fixture.converged(before)
    // 1% of the domains drift: memory, a move, a new one per host.
    var desired = domains
    for k in stride(from: 0, to: desired.count, by: 100) {
        desired[k].memory = .mib(768)
        // To the next host of the same SAN.
        let from = k / 50
        desired[k + 1].host = "h\(from / 10 * 10 + (from % 10 + 1) % 10)"
    }
    for h in hostNames { desired.append(Fixture.domain("new-\(h)", memory: 256)) }
    let lab = Fixture.lab(hosts: hosts, pools: pools, domains: desired)
    let clock = ContinuousClock()
    var plan: Plan?
    let elapsed = try clock.measure { plan = try Planner.plan(lab: lab, observed: observed) }
    #expect(plan?.countsByKind[.setMemory] == 100)
    #expect(plan?.countsByKind[.migrate] == 100)
    #expect(plan?.countsByKind[.create] == 200)
    print("planned 10,000 domains on 200 hosts in \(elapsed)")
}

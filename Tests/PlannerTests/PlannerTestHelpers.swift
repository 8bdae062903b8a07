import HostModel
import Manifest
import XenplanBasics
import XenplanTestSupport

@testable import Planner

/// One line per action: `kind name@host[→target] class [←deps]`, plus `⏳` when the
/// action waits for a balloon. Tables compare these lines.
func line(_ a: PlannedAction) -> String {
    var s = "\(a.kind.rawValue) \(a.domain ?? a.summary)@\(a.host)"
    if let t = a.targetHost { s += "→\(t)" }
    s += " \(a.disruption.rawValue)"
    if a.waitsForBalloon { s += " ⏳" }
    if !a.dependsOn.isEmpty { s += " ←" + a.dependsOn.map(String.init).joined(separator: ",") }
    return s
}

func lines(_ plan: Plan) -> [String] { plan.actions.map(line) }

/// `kind domain@host` per notice.
func noticeLines(_ plan: Plan) -> [String] {
    plan.notices.map { "\($0.kind.rawValue) \($0.domain ?? "-")@\($0.host ?? "-")" }
}

/// Performs the plan's operations, in its order, on a copy of `hosts`.
func applying(_ plan: Plan, to hosts: [HostState]) throws -> [HostState] {
    var hosts = hosts
    for action in plan.actions {
        for (host, op) in action.steps { try OperationReplayer.apply(op, on: host, to: &hosts) }
    }
    return hosts
}

/// The standard two-host lab: cpt18 and cpt76 (16 GiB, 8 CPUs, xenbr0 each), a local
/// pool on each and a shared SAN.
enum Std {
    static let pools = [
        Fixture.lvm("cpt18-local", vg: "vg18", hosts: ["cpt18"]),
        Fixture.lvm("cpt76-local", vg: "vg76", hosts: ["cpt76"]),
        Fixture.lvm("san", hosts: ["cpt18", "cpt76"], shared: true),
    ]
    static let hosts = [Fixture.hostSpec("cpt18"), Fixture.hostSpec("cpt76")]

    static let ns1 = Fixture.domain(
        "ns1", on: "cpt18", memory: 256, maxmem: 512, vcpus: 1, maxvcpus: 2,
        disks: [Fixture.disk("root", size: 2048, vdev: "xvda", pool: "san")])
    static let www = Fixture.domain(
        "www", on: "cpt18", memory: 512, maxmem: 1024,
        disks: [Fixture.disk("root", size: 4096, vdev: "xvda", pool: "cpt18-local")])
    static let git = Fixture.domain(
        "git", on: "cpt76", memory: 1024, maxmem: 1024, vcpus: 2, maxvcpus: 2,
        disks: [Fixture.disk("root", size: 8192, vdev: "xvda", pool: "san")])

    static func lab(
        _ domains: [DomainSpec] = [ns1, www, git], hosts: [HostSpec] = hosts,
        groups: [GroupSpec] = []
    ) -> Lab {
        Fixture.lab(hosts: hosts, pools: pools, groups: groups, domains: domains)
    }
}

extension Array where Element == DomainSpec {
    /// The list with the domain named `name` changed.
    func with(_ name: String, _ change: (inout DomainSpec) -> Void) -> [DomainSpec] {
        map { d in
            guard d.name == name else { return d }
            var d = d
            change(&d)
            return d
        }
    }
}

import HostModel
import Manifest
import XenplanBasics

/// A declared domain Xen does not show but whose configuration a host has.
extension Diff {
    /// A declared domain known only by its configuration on `c` (not running).
    mutating func planConfigOnly(_ d: DomainSpec, _ config: DomainConfig, on c: String, declared h: String) {
        finalHost[d.name] = c
        let known = config.nics.map { NicState(bridge: $0.bridge, mac: $0.mac ?? "", ip: $0.ip) }
        let move = MigrationDecision.forConfiguration(d, config, on: c, declared: h, desired: desired, observed: observed)
        if move == .startsElsewhere(to: h) {
            startElsewhere(d, config, from: c, to: h, clearing: nil)
            return
        }
        if move == .cold(to: h) {
            moveCold(d, config, from: c, to: h, stopping: nil, configured: true)
            return
        }
        var wanted = desiredConfig(d, on: c, observedNics: known, uuid: config.uuid)
        if case let .blocked(why) = move {
            notice(.migrationBlocked, host: c, domain: d.name, why)
            wanted.disks = config.disks
            wanted.nics = config.nics
        }
        let configDue = !Normalize.sameConfig(desired: wanted, observed: config)
        guard d.state == .running else {
            // The volumes a rewritten configuration names are made with it, so that it can
            // start whenever it is declared running again.
            if configDue {
                let deps = h == c ? planVolumes(d, disks: desired.resolveDisks(d, on: c), on: c) : []
                add(
                    Draft(
                        kind: .writeConfig, host: c, domain: d.name, summary: ConfigChanges.summary(from: config, to: wanted),
                        reason: "its configuration differs from the manifests", disruption: .none,
                        operations: [.writeConfig(wanted)], deps: deps))
            }
            return
        }
        if holdIfDiskInUse(d, disks: wanted.disks, on: c) { return }
        let deps = (h == c ? planVolumes(d, disks: desired.resolveDisks(d, on: c), on: c) : []) + bridgeDeps(d, on: c)
        let usage = Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus)
        add(
            Draft(
                kind: .start, host: c, domain: d.name, summary: "\(Text.vcpus(d.vcpus)), \(d.memory) from its configuration",
                reason: "declared running, exists only as a configuration", disruption: .none,
                operations: (configDue ? [.writeConfig(wanted)] : []) + [.create(domain: d.name)],
                deps: deps, takeHost: c, take: usage))
        ledger[d.name] = Ledger.Entry(host: c, usage: usage, up: true)
    }
}

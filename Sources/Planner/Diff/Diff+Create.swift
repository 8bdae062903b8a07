import HostModel
import Manifest
import XenplanBasics

/// A declared domain that does not exist anywhere: volumes, configuration, `xl create`.
extension Diff {
    mutating func planCreate(_ d: DomainSpec, on h: String, placed: Bool) {
        let disks = desired.resolveDisks(d, on: h)
        if d.state == .running, holdIfDiskInUse(d, disks: disks.map(\.config), on: h) { return }
        let deps = planVolumes(d, disks: disks, on: h) + bridgeDeps(d, on: h)
        let running = d.state == .running
        let usage = running ? Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus) : Resources()
        let volumes = disks.compactMap { disk -> String? in
            guard let key = disk.volume, let size = disk.spec.size else { return nil }
            let new = graph.volumeDraft[key].map { graph.drafts[$0].kind == .createVolume } ?? false
            return "\(key.description) \(size)" + (new ? " (new)" : "")
        }
        var summary = "\(Text.vcpus(d.vcpus)), \(d.memory)"
        if !volumes.isEmpty { summary += "; volume\(volumes.count == 1 ? "" : "s") " + volumes.joined(separator: ", ") }
        if d.identity.seed {
            let keys = d.identity.sshKeys.count
            summary +=
                "; first-boot seed: hostname \(d.identity.hostname)"
                + (keys == 0 ? "" : ", \(keys) ssh key\(keys == 1 ? "" : "s")")
                + (d.identity.passwordHash == nil ? "" : ", root password")
        }
        if !running { summary += "; left stopped" }
        add(
            Draft(
                kind: .create, host: h, domain: d.name, summary: summary,
                reason: "declared, does not exist" + (placed ? "; placed on \(h): most free memory among the hosts that fit" : ""),
                disruption: .none,
                operations: [.writeConfig(desiredConfig(d, on: h))] + (running ? [.create(domain: d.name)] : []),
                deps: deps, takeHost: running ? h : nil, take: usage))
        ledger[d.name] = Ledger.Entry(host: h, usage: usage, up: running)
    }
}

import HostModel
import Manifest
import XenplanBasics

/// Host preparations: bridges and volumes, which must exist before any domain uses them.
extension Diff {
    /// Volumes any declared disk uses, wherever its domain is: never orphans, even when
    /// the domain is outside --host/--domain.
    /// A domain the planner has yet to place could land on any host: its disks' volumes on
    /// each of them are kept (a volume it already has is its data, wherever it is).
    mutating func noteDesiredVolumes() {
        for d in desired.lab.domains {
            let known = d.host ?? observed.runningOn[d.name]?.first ?? observed.configOn[d.name]?.first
            for host in known.map({ [$0] }) ?? desired.lab.hosts.map(\.name) {
                for disk in desired.resolveDisks(d, on: host) { if let key = disk.volume { volumes.desired.insert(key) } }
            }
        }
    }

    /// A create-bridge action for every declared bridge missing on an observed host.
    mutating func planBridges() {
        for host in observed.hostNames {
            guard let spec = desired.hostSpecs[host], let index = observed.hosts[host] else { continue }
            for bridge in spec.bridges where !index.bridges.contains(bridge.name) {
                let on = bridge.interface.map { " on \($0)" } ?? " (host-only)"
                graph.bridgeDraft["\(host)/\(bridge.name)"] = add(
                    Draft(
                        kind: .createBridge, host: host, summary: "\(bridge.name)\(on)",
                        reason: "bridge \(bridge.name) is declared on \(host) but missing", disruption: .none,
                        operations: [.createBridge(name: bridge.name, interface: bridge.interface)]))
            }
        }
    }

    /// Drafts that the domain's arrival on `host` must wait for: its bridges there.
    func bridgeDeps(_ d: DomainSpec, on host: String) -> [Int] {
        Set(d.network.compactMap { graph.bridgeDraft["\(host)/\($0.bridge)"] }).sorted()
    }

    /// Ensures the volumes of a domain's disks exist at their declared size on `host`;
    /// returns the drafts the domain must wait for.
    mutating func planVolumes(_ d: DomainSpec, disks: [ResolvedDisk], on host: String) -> [Int] {
        var deps: [Int] = []
        for disk in disks {
            guard let key = disk.volume, let size = disk.spec.size else { continue }
            volumes.desired.insert(key)
            if let id = graph.volumeDraft[key] { deps.append(id); continue }
            let draft: Draft
            if let existing = observed.existingVolume(key, pool: disk.pool, host: host) {
                if Normalize.sameMemory(existing.size, size) { continue }
                if existing.size > size {
                    if volumes.reported.insert(key).inserted {
                        notice(
                            .shrinkRefused, host: existing.host, domain: d.name,
                            "volume \(key.description) of \(d.name) is \(existing.size), declared \(size): volumes are never shrunk; restore the size in the manifests"
                        )
                    }
                    continue
                }
                draft = Draft(
                    kind: .growVolume, host: existing.host, domain: nil,
                    summary: "\(key.description) \(existing.size) → \(size)",
                    reason: "disk \(disk.spec.name) of \(d.name) is declared larger; the guest sees the new size live",
                    disruption: .live,
                    operations: [.growVolume(container: key.container, name: key.name, size: size)])
            } else if let name = disk.spec.image {
                let image = imageSource(name, for: d, disk: disk.spec, size: size, on: host)
                draft = Draft(
                    kind: .createVolume, host: host, domain: nil,
                    summary: "\(key.description) \(size) from image \(name)" + (image.detail.map { " (\($0))" } ?? ""),
                    reason: "disk \(disk.spec.name) of \(d.name) has no volume yet; filled from image \(name) once, at creation",
                    disruption: .none,
                    operations: [.createVolumeFromImage(container: key.container, name: key.name, size: size, image: image.source)])
            } else {
                draft = Draft(
                    kind: .createVolume, host: host, domain: nil,
                    summary: "\(key.description) \(size)",
                    reason: "disk \(disk.spec.name) of \(d.name) has no volume yet",
                    disruption: .none,
                    operations: [.createVolume(container: key.container, name: key.name, size: size)])
            }
            let id = add(draft)
            graph.volumeDraft[key] = id
            deps.append(id)
        }
        return deps
    }
}

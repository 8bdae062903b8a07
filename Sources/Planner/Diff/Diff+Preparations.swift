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

    /// A create-bridge action for every declared bridge missing on an observed host; on a
    /// host that reports its ifupdown files, the file that brings the bridge back at boot
    /// written with it, rewritten when missing or changed by hand, and removed when its
    /// bridge is no longer declared. A host where such a file would do nothing gets a
    /// notice instead; so does a bridge whose port is not the declared one.
    mutating func planBridges() {
        for host in observed.hostNames {
            guard let spec = desired.hostSpecs[host], let index = observed.hosts[host] else { continue }
            let persistence = index.state.persistence
            let persists = persistence.map { $0.missing == nil } ?? false
            if let persistence, let why = persistence.missing, !spec.bridges.isEmpty {
                let names = spec.bridges.map(\.name).joined(separator: ", ")
                notice(.bridge, host: host, domain: nil, "bridges \(names) on \(host) do not survive a reboot: \(why)")
            }
            for bridge in spec.bridges {
                let file = BridgeFile(bridge: bridge.name, interface: bridge.interface, vlan: bridge.vlan)
                let written = persistence?.file(of: bridge.name)
                let fileOperation: [HostOperation] = persists && written?.text != file.text ? [.writeBridgeFile(file)] : []
                if let observed = index.state.bridge(named: bridge.name) {
                    if let mismatch = observed.portMismatch(file) {
                        notice(
                            .bridge, host: host, domain: nil, "\(mismatch) on \(host): xenplan does not re-wire an existing bridge; fix it by hand")
                    }
                    guard !fileOperation.isEmpty else { continue }
                    let state = written == nil ? "missing" : "changed by hand"
                    add(
                        Draft(
                            kind: .bridgeFile, host: host, summary: "bridge \(bridge.name)'s ifupdown file \(state)",
                            reason: "\(paths(bridge.name)) brings bridge \(bridge.name) back at boot; rewritten as the manifests declare it",
                            disruption: .none, operations: fileOperation))
                    continue
                }
                let on = bridge.interface.map { i in " on \(i)" + (bridge.vlan.map { " VLAN \($0)" } ?? "") } ?? " (host-only)"
                graph.bridgeDraft["\(host)/\(bridge.name)"] = add(
                    Draft(
                        kind: .createBridge, host: host, summary: "\(bridge.name)\(on)",
                        reason: "bridge \(bridge.name) is declared on \(host) but missing", disruption: .none,
                        operations: [.createBridge(name: bridge.name, interface: bridge.interface, vlan: bridge.vlan)] + fileOperation))
            }
            // Files of bridges no longer declared would bring them back at the next boot.
            let declared = Set(spec.bridges.map(\.name))
            for written in persistence?.files ?? [] where !declared.contains(written.bridge) {
                add(
                    Draft(
                        kind: .bridgeFile, host: host, summary: "bridge \(written.bridge)'s ifupdown file removed",
                        reason: "bridge \(written.bridge) is no longer declared on \(host); the bridge itself stays until the host reboots",
                        disruption: .none, operations: [.removeBridgeFile(bridge: written.bridge)]))
            }
        }
    }

    private func paths(_ bridge: String) -> String { "\(BridgeFile.directory)/\(BridgeFile.fileName(bridge: bridge))" }

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

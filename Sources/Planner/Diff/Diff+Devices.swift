import HostModel
import Manifest
import XenplanBasics

/// Disks and NICs of a running domain: hot-plugged to match the manifests.
extension Diff {
    /// Detaches first, then attaches: what is declared differently goes, then comes back
    /// as declared.
    mutating func deviceChanges(_ d: DomainSpec, _ s: DomainState, disks: [ResolvedDisk], on host: String) -> [Draft] {
        var detach: [Draft] = []
        var attach: [Draft] = []
        let desiredByVdev = Dictionary(disks.map { ($0.vdev, $0) }, uniquingKeysWith: { a, _ in a })
        var observedByVdev: [String: DiskState] = [:]
        for disk in s.disks { observedByVdev[Normalize.vdev(disk.vdev)] = disk }

        for disk in s.disks.sorted(by: { Normalize.vdev($0.vdev) < Normalize.vdev($1.vdev) }) {
            let vdev = Normalize.vdev(disk.vdev)
            if let want = desiredByVdev[vdev], want.target == disk.target, want.spec.readOnly == disk.readOnly { continue }
            detach.append(
                Draft(
                    kind: .detachDisk, host: host, domain: d.name, summary: "\(vdev) (\(disk.target))",
                    reason: desiredByVdev[vdev] == nil ? "disk \(vdev) is no longer declared" : "disk \(vdev) is declared differently",
                    disruption: .live, operations: [.detachDisk(domain: d.name, vdev: vdev)]))
            if let key = observed.hosts[host]?.volumeByTarget[disk.target] {
                detach[detach.count - 1].leavesVolumes.append(
                    OrphanCandidate(
                        key: key, host: host, domain: d.name, after: nil, why: "was disk \(vdev) of \(d.name)"))
            }
        }
        for disk in disks {
            if let have = observedByVdev[disk.vdev], have.target == disk.target, have.readOnly == disk.spec.readOnly { continue }
            if let why = observed.diskInUse(d.name, disks: [disk.config]) {
                notice(
                    .diskInUse, host: host, domain: d.name,
                    "disk \(disk.vdev) of \(d.name) is not attached: \(why.dropFirst("disk \(disk.vdev) ".count))")
                continue
            }
            let deps = disk.volume.flatMap { graph.volumeDraft[$0] }.map { [$0] } ?? []
            attach.append(
                Draft(
                    kind: .attachDisk, host: host, domain: d.name,
                    summary: "\(disk.vdev) → \(disk.target)" + (disk.spec.readOnly ? " (read-only)" : ""),
                    reason: "disk \(disk.spec.name) is declared but not attached", disruption: .live,
                    operations: [.attachDisk(domain: d.name, disk: disk.config)], deps: deps))
        }

        let match = NicMatch(desired: d.network, observed: s.nics)
        var detachedMacs: Set<Int> = []
        for (i, nic) in d.network.enumerated() {
            guard let j = match.observedFor[i] else { continue }
            let have = s.nics[j]
            if have.bridge != nic.bridge || Normalize.ip(have.ip) != Normalize.ip(nic.ip) { detachedMacs.insert(j) }
        }
        for j in match.unmatched { detachedMacs.insert(j) }
        for j in detachedMacs.sorted() {
            let nic = s.nics[j]
            detach.append(
                Draft(
                    kind: .detachNic, host: host, domain: d.name, summary: "\(nic.mac) on \(nic.bridge)",
                    reason: match.unmatched.contains(j) ? "interface \(nic.mac) is not declared" : "interface \(nic.mac) is declared differently",
                    disruption: .live, operations: [.detachNic(domain: d.name, mac: Normalize.mac(nic.mac) ?? nic.mac)]))
        }
        for (i, nic) in d.network.enumerated() {
            let j = match.observedFor[i]
            if let j, !detachedMacs.contains(j) { continue }
            let mac = Normalize.mac(nic.mac) ?? j.flatMap { Normalize.mac(s.nics[$0].mac) } ?? configs.chosenMAC(domain: d.name, index: i)
            let config = DomainConfig.Nic(bridge: nic.bridge, mac: mac, ip: Normalize.ip(nic.ip), rate: nic.rate, vifname: nic.vifname)
            attach.append(
                Draft(
                    kind: .attachNic, host: host, domain: d.name,
                    summary: nic.bridge + ", mac \(mac)" + (config.ip.map { ", ip \($0)" } ?? ""),
                    reason: "interface on \(nic.bridge) is declared but not attached", disruption: .live,
                    operations: [.attachNic(domain: d.name, nic: config)], deps: bridgeDeps(d, on: host)))
        }
        return detach + attach
    }
}

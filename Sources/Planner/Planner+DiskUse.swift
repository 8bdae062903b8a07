import HostModel
import Manifest
import XenplanBasics

/// Who writes to which disk now. A guest is never started while one of its read-write
/// disks is attached to another running guest (two kernels writing one filesystem
/// destroy it): the plan says so instead, and starts it once the disk is free.
extension PlanBuilder {
    /// Running guests by the device they have attached (one spelling per device).
    func attachedDevices() -> [String: [(domain: String, host: String, readOnly: Bool)]] {
        var result: [String: [(domain: String, host: String, readOnly: Bool)]] = [:]
        for host in hostNames {
            guard let state = hosts[host]?.state else { continue }
            for d in state.domains where d.domid != 0 && d.state.isUp {
                for disk in d.disks {
                    result[Syntax.deviceIdentity(disk.target), default: []].append((d.name, host, disk.readOnly))
                }
            }
        }
        return result
    }

    /// Why `name` cannot start with `disks`: the first read-write disk another running
    /// guest has attached (or a disk it would share read-only with one writing it).
    func diskInUse(_ name: String, disks: [DomainConfig.Disk]) -> String? {
        for disk in disks {
            for user in devicesInUse[Syntax.deviceIdentity(disk.target)] ?? [] where user.domain != name {
                if disk.readOnly && user.readOnly { continue }
                return "disk \(Normalize.vdev(disk.vdev)) (\(disk.target)) is attached to \(user.domain) on \(user.host)"
                    + (user.readOnly ? " (read-only)" : "")
            }
        }
        return nil
    }

    /// Reports `d` as held back when one of its disks is in use; returns whether it was.
    mutating func holdIfDiskInUse(_ d: DomainSpec, disks: [DomainConfig.Disk], on host: String) -> Bool {
        guard let why = diskInUse(d.name, disks: disks) else { return false }
        notice(.diskInUse, host: host, domain: d.name,
               "\(d.name) is not started: \(why); it starts once that guest has let the disk go")
        ledger[d.name] = nil
        return true
    }

    /// Whether a domain known only by its configuration on `from` can start on `to`
    /// instead: every disk on a shared pool `to` reaches, every bridge declared there.
    func canStartElsewhere(_ config: DomainConfig, _ d: DomainSpec, from: String, to: String) -> Bool {
        guard hosts[to] != nil, let source = hosts[from] else { return false }
        for disk in config.disks {
            guard let key = source.volumeByTarget[disk.target],
                  let pool = lab.pools.first(where: { $0.container == key.container && $0.hosts.contains(from) }),
                  pool.shared, pool.hosts.contains(to) else { return false }
        }
        let bridges = Set(hostSpecs[to]?.bridges.map(\.name) ?? [])
        return d.network.allSatisfy { bridges.contains($0.bridge) }
    }
}

import HostModel
import Manifest
import Planner
import XenplanBasics
import XenplanTestSupport

/// What an apply may take away: a guest only when it is no longer declared and the apply
/// allows destroying (never an unmanaged or protected one: there is no `--prune` here);
/// a volume only with `--allow-data-loss`, and never one a declared disk uses.
enum GateAudit {
    static func check(before: [HostState], after: [HostState], lab: Lab, gates: ApplyGates) -> [String] {
        var problems: [String] = []
        let remaining = Set(after.flatMap { $0.guests.map(\.name) })
        for host in before {
            for d in host.guests where d.transient == nil && !remaining.contains(d.name) {
                let config = host.config(named: d.name)
                if lab.domain(d.name) != nil { continue }
                if config == nil {
                    problems.append("unmanaged domain \(d.name) on \(host.name) was destroyed")
                } else if config?.protect == true {
                    problems.append("protected domain \(d.name) on \(host.name) was destroyed")
                } else if !gates.allowDestroy {
                    problems.append("domain \(d.name) on \(host.name) was destroyed without --allow-destroy")
                }
            }
        }
        let backedUp = newBackups(before: before, after: after)
        for host in before {
            for d in host.guests where d.transient == nil && !remaining.contains(d.name) && lab.domain(d.name) == nil {
                guard let config = host.config(named: d.name), !config.disks.isEmpty, lab.backups != nil else { continue }
                if !backedUp.domains.contains(d.name) {
                    problems.append("domain \(d.name) on \(host.name) was destroyed without the backup its policy asks for")
                }
            }
        }
        let declared = declaredVolumes(lab)
        let afterVolumes = Set(after.flatMap { h in volumeKeys(h, lab: lab) })
        // A shared pool's volume is seen from every host that reaches it: one volume.
        var seen: Set<VolumeKey> = []
        for host in before {
            for key in volumeKeys(host, lab: lab) where !afterVolumes.contains(key) && seen.insert(key).inserted {
                // A snapshot is a backup's scratch copy, a `_partial` volume half a copy
                // an interrupted fill left: neither is data.
                if key.volume.hasSuffix(BackupJob.snapshotSuffix) || key.volume.hasSuffix(VolumeState.partialSuffix) { continue }
                if policyCovers(volume: key.volume, lab: lab), !backedUp.volumes.contains(key.volume) {
                    problems.append("volume \(key) was removed without the backup its policy asks for")
                }
                if !gates.allowDataLoss {
                    problems.append("volume \(key) was removed without --allow-data-loss")
                } else if declared.contains(key.volume) {
                    problems.append("volume \(key) of a declared disk was removed")
                }
            }
        }
        return problems
    }

    /// The domains and `CONTAINER/NAME` volumes of the backups made between the readings.
    static func newBackups(before: [HostState], after: [HostState]) -> (domains: Set<String>, volumes: Set<String>, records: Int) {
        let known = Set(before.flatMap { $0.backups.map(\.backupDirectory) })
        var domains: Set<String> = [], volumes: Set<String> = [], records: Set<String> = []
        for record in after.flatMap(\.backups) where !known.contains(record.backupDirectory) {
            records.insert(record.backupDirectory)
            domains.insert(record.domain)
            for disk in record.disks { volumes.insert("\(disk.container)/\(disk.volume)") }
        }
        return (domains, volumes, records.count)
    }

    /// Whether a backup policy covers the volume: the lab has one, and the domain whose
    /// name the volume starts with does not opt out (`backups: none`).
    static func policyCovers(volume: String, lab: Lab) -> Bool {
        guard lab.backups != nil else { return false }
        let name = volume.split(separator: "/").last.map(String.init) ?? volume
        let owner = lab.domains.filter { name.hasPrefix($0.name + "-") }.max { $0.name.count < $1.name.count }
        return owner.map { $0.backups != nil } ?? true
    }

    struct VolumeKey: Hashable, CustomStringConvertible {
        /// The host for a volume of a local pool, nil for a shared one.
        var host: String?
        var volume: String
        var description: String { (host.map { "\($0):" } ?? "") + volume }
    }

    static func volumeKeys(_ host: HostState, lab: Lab) -> [VolumeKey] {
        host.volumes.map { v in
            let shared = lab.pools.contains { $0.container == v.container && $0.shared && $0.hosts.contains(host.name) }
            return VolumeKey(host: shared ? nil : host.name, volume: "\(v.container)/\(v.name)")
        }
    }

    /// `CONTAINER/NAME` of every volume a declared disk names, in any pool its domain
    /// could use (its effective pool depends on where it runs).
    static func declaredVolumes(_ lab: Lab) -> Set<String> {
        var names: Set<String> = []
        for d in lab.domains {
            for disk in d.disks where disk.path == nil {
                for pool in lab.pools where disk.pool == nil || disk.pool == pool.name {
                    names.insert("\(pool.container)/\(disk.volumeName(domain: d.name))")
                }
            }
        }
        return names
    }
}

import HostModel
import Manifest
import XenplanBasics

/// `xenplan restore DOMAIN [--from ID] [--as NEWNAME]`: one `restore-volume` action per
/// disk of the backup, on a host that sees the backup and reaches the disks' pools.
/// Only volumes are written: the manifests stay the source of every configuration.
extension BackupPlanner {
    static func plannedRestore(
        lab: Lab, observed: [HostState], domain: String, id: String?, newName: String?, options: PlanOptions
    ) throws(PlanRefusal) -> Plan {
        let desired = DesiredState(lab: lab, options: options)
        let hosts = ObservedState(observed, desired: desired)
        let records = backups(in: observed, domain: domain)
        guard let newest = records.last else {
            throw refusal(domain: domain, "no backup of \(domain) is seen by any observed host")
        }
        var record = newest
        if let id {
            guard let chosen = records.first(where: { $0.id == id }) else {
                throw refusal(domain: domain, "\(domain) has no backup \(shownValue(id)); its backups: " + records.map(\.id).joined(separator: ", "))
            }
            record = chosen
        }
        guard record.format <= BackupRecord.currentFormat else {
            throw refusal(
                domain: domain,
                "backup \(record.id) of \(domain) has record format \(record.format); this xenplan restores format \(BackupRecord.currentFormat) at most"
            )
        }
        let name = newName ?? domain
        if let newName, !Syntax.isName(newName) {
            throw refusal(domain: domain, "\(shownValue(newName)) cannot name a domain: use 1 to 63 of a-z, 0-9, '.' and '-'")
        }
        let host = try restoreHost(for: record, name: name, desired: desired, hosts: hosts, observed: observed)

        // The volumes, named for the new domain when restored as another one.
        let renamed = newName != nil && newName != domain
        var targets: [(disk: BackupRecord.Disk, key: VolumeKey, exists: Bool)] = []
        for disk in record.disks {
            var volume = disk.volume
            if renamed, let newName {
                volume = volume.hasPrefix(domain + "-") ? newName + volume.dropFirst(domain.count) : newName + "-" + volume
            }
            let key = VolumeKey(container: disk.container, name: volume)
            let exists = hosts.existingVolume(key, pool: desired.pool(container: disk.container, reachedBy: host), host: host) != nil
            targets.append((disk, key, exists))
        }
        let existing = targets.filter(\.exists).map(\.key.description)
        if !existing.isEmpty {
            if renamed {
                throw refusal(
                    host: host, domain: name,
                    "\(Text.conjunction(existing)) already \(existing.count == 1 ? "exists" : "exist") on \(host): a restore as \(name) writes only new volumes; choose another name"
                )
            }
            guard options.allowDataLoss else {
                throw refusal(
                    host: host, domain: domain,
                    "\(Text.conjunction(existing)) already \(existing.count == 1 ? "exists" : "exist") on \(host): restoring over \(existing.count == 1 ? "it" : "them") loses what \(existing.count == 1 ? "it holds" : "they hold") now; --allow-data-loss does it (\(domain) stopped), or restore --as NEWNAME"
                )
            }
            if let where_ = hosts.runningOn[domain]?.first {
                let up = observed.first { $0.name == where_ }?.domain(named: domain)?.state.isUp ?? true
                throw refusal(
                    host: where_, domain: domain,
                    up
                        ? "\(domain) runs on \(where_): stop it first: declare state: stopped and apply, or restore --as NEWNAME"
                        : "\(domain) is no longer running on \(where_) but Xen still lists it, holding its disks: wait for it to go (or `xl destroy \(domain)`), then restore"
                )
            }
        }

        var actions: [PlannedAction] = []
        for target in targets {
            let source = BackupSource(
                domain: record.domain, id: record.id, path: record.path(of: target.disk), compressed: target.disk.compressed,
                sha256: target.disk.sha256)
            actions.append(
                PlannedAction(
                    id: actions.count, kind: .restoreVolume, host: host, domain: name,
                    summary: "\(target.key.description) \(target.disk.size) from backup \(record.id) of \(domain) (\(target.disk.vdev))"
                        + (target.exists ? ", over the current volume" : ""),
                    reason: "backup \(record.id) of \(domain) made on \(record.host) at \(record.time) (\(record.consistency))"
                        + (target.exists ? "; --allow-data-loss: what the volume holds now is lost" : ""),
                    disruption: target.exists ? .dataLoss : .none,
                    operations: [
                        .restoreVolume(
                            container: target.key.container, name: target.key.name, size: target.disk.size, source: source, replace: target.exists)
                    ]))
        }
        var notices: [Notice] = []
        if let note = configurationNote(record, name: name, lab: lab) {
            notices.append(Notice(kind: .backup, host: host, domain: name, message: note))
        }
        return plan(lab: lab, observed: observed, hosts: hosts, actions: actions, notices: notices, options: options)
    }

    /// A host that sees the backup and reaches the pool of every disk: where the domain is
    /// configured, else where it is declared, else where the backup was made, else the
    /// first in name order.
    private static func restoreHost(
        for record: BackupRecord, name: String, desired: DesiredState, hosts: ObservedState, observed: [HostState]
    ) throws(PlanRefusal) -> String {
        let seeing = Set(observed.filter { $0.backups.contains { $0.backupDirectory == record.backupDirectory } }.map(\.name))
        let able = hosts.hostNames.filter { host in
            seeing.contains(host) && record.disks.allSatisfy { desired.pool(container: $0.container, reachedBy: host) != nil }
        }
        let preferred = (hosts.configOn[name] ?? []) + [desired.declared[name]?.host, record.host].compactMap { $0 }
        if let host = preferred.first(where: able.contains) ?? able.first { return host }
        let containers = Array(Set(record.disks.map(\.container))).sorted()
        throw refusal(
            domain: record.domain,
            "no observed host both sees backup \(record.id) of \(record.domain) (in \(record.directory)) and reaches "
                + Text.conjunction(containers))
    }

    /// What the backed-up configuration says that the manifests say otherwise. The
    /// restore writes volumes only: a configuration it wrote for a domain the manifests do
    /// not declare would be removed by the next plan, and one they declare is theirs.
    static func configurationNote(_ record: BackupRecord, name: String, lab: Lab) -> String? {
        guard let spec = lab.domain(name) else {
            return "\(name) is not declared: the restore writes its volumes only; declare it in the manifests for a plan to create it"
                + (record.config.map { " (backed up with \($0.memory), \(Text.vcpus($0.vcpus)))" } ?? "")
        }
        guard let config = record.config else { return nil }
        var changes: [String] = []
        func compare(_ field: String, _ then: String, _ now: String) { if then != now { changes.append("\(field) \(then) → \(now)") } }
        compare("memory", "\(config.memory)", "\(spec.memory)")
        compare("maxmem", "\(config.maxmem)", "\(spec.maxmem)")
        compare("vcpus", "\(config.vcpus)", "\(spec.vcpus)")
        compare("maxvcpus", "\(config.maxvcpus)", "\(spec.maxvcpus)")
        compare("type", config.type, spec.type.rawValue)
        let then = record.disks.map { "\($0.vdev) \($0.size)" }.sorted().joined(separator: ", ")
        let now = spec.disks.map { "\(Normalize.vdev($0.vdev)) \($0.size.map(\.description) ?? "device")" }.sorted().joined(separator: ", ")
        compare("disks", then, now)
        guard !changes.isEmpty else { return nil }
        return "backup \(record.id) of \(record.domain) was made with another configuration than the manifests declare for \(name) ("
            + changes.joined(separator: "; ") + "): the restore writes volumes only; the manifests stay the configuration's source"
    }
}

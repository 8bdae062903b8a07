import HostModel
import Manifest
import XenplanBasics

/// The safety net: before a destroy or a volume removal, a `backup` of what is lost, when
/// a backup policy applies (the domain's own when it is declared, else the lab-wide one;
/// `backups: none` opts out).
extension Diff {
    /// The policy for what `owner` leaves (nil: none, with why).
    func safetyNetPolicy(owner: String?) -> (policy: BackupPolicy?, why: String) {
        if let owner, let spec = desired.declared[owner] {
            return (spec.backups, desired.lab.backups == nil ? "no backup policy" : "backups: none")
        }
        return (desired.lab.backups, "no backup policy")
    }

    /// Backs up the volumes a domain about to be destroyed uses, first. Call before adding
    /// the destroy draft: the backup is then the draft the destroy waits for.
    mutating func safetyNetBeforeDestroy(_ name: String, on host: String) -> SafetyNet.Cover {
        guard let index = observed.hosts[host] else { return .nothing }
        let config = index.config(name)
        let state = index.domain(name)
        let list = (config?.disks.map { ($0.vdev, $0.target) } ?? []) + (state?.disks.map { ($0.vdev, $0.target) } ?? [])
        let found = BackupDisks(list, seed: config?.seed?.target, index: index, desired: desired)
        guard !found.disks.isEmpty else { return .nothing }
        // The same volumes seen from two hosts (a shared pool: a configuration left on one,
        // the guest on another) are copied once.
        let keys = found.disks.map { VolumeKey(container: $0.container, name: $0.volume) }
        if let id = keys.first.flatMap({ safetyNet.backupOf[$0] }), keys.allSatisfy({ safetyNet.backupOf[$0] == id }) { return .backup(id) }
        let (policy, why) = safetyNetPolicy(owner: name)
        guard let policy else { return .none(why) }
        let directory: String
        switch BackupPool.directory(of: policy, on: host, desired: desired) {
        case let .success(path): directory = path
        case let .failure(problem):
            safetyNet.problems.append(
                (host, name, "cannot destroy \(name) on \(host): its backup policy asks for a backup of its volumes first, and \(problem.message)"))
            return .refused
        }
        let running = state?.state.isUp == true
        let (keep, after) = safetyNet.next(for: name, keep: policy.keep)
        let job = BackupJob(
            domain: name, directory: directory, disks: found.disks, pause: running, consistency: running ? "pause" : "stopped",
            keep: keep, config: config, xenplanVersion: desired.options.xenplanVersion)
        let id = add(
            Draft(
                kind: .backup, host: host, domain: name,
                summary: safetyNetSummary(found.disks, policy: policy, keep: keep, on: index) + (running ? ", paused for the snapshots" : ""),
                reason: "safety net: \(name) is destroyed next; its backup policy keeps a copy of its volumes in pool \(policy.pool) (\(directory))",
                disruption: running ? .pause : .none, operations: [.backup(job)], deps: after))
        safetyNet.backupsOf[name, default: []].append(id)
        for d in found.disks { safetyNet.backupOf[VolumeKey(container: d.container, name: d.volume)] = id }
        return .backup(id)
    }

    /// What a destroy's reason says when no backup is made first: that nothing is kept
    /// (its volumes go too with --allow-data-loss), or that no copy is made.
    func safetyNetNote(_ cover: SafetyNet.Cover) -> String {
        guard case let .none(why) = cover else { return "" }
        return desired.options.allowDataLoss ? "; \(why): nothing is kept" : "; \(why): no backup is made first"
    }

    /// Before volume `key` is removed: the backup that already copies it (its domain's,
    /// before a destroy), else a one-disk backup of it. Returns the drafts the removal
    /// waits for, and what its reason says when nothing is kept.
    mutating func safetyNetBeforeRemoving(_ key: VolumeKey, on host: String, owner: String?) -> (deps: [Int], note: String) {
        if let id = safetyNet.backupOf[key] { return ([id], "") }
        let (policy, why) = safetyNetPolicy(owner: owner)
        guard let policy else { return ([], "; \(why): nothing is kept") }
        guard let index = observed.hosts[host] else { return ([], "") }
        // A volume of a pool no longer declared is still copied: a directory is a path, a
        // volume group never starts with '/'.
        let isFile = desired.pool(container: key.container, reachedBy: host)?.isDirectory ?? key.container.hasPrefix("/")
        let directory: String
        switch BackupPool.directory(of: policy, on: host, desired: desired) {
        case let .success(path): directory = path
        case let .failure(problem):
            safetyNet.problems.append(
                (
                    host, owner ?? key.name,
                    "cannot remove volume \(key.description) on \(host): the backup policy asks for a backup of it first, and \(problem.message)"
                ))
            return ([], "")
        }
        // The device the volume was attached as, if any configuration or domain still says.
        let vdev =
            index.state.configs.lazy.flatMap(\.disks).map { ($0.vdev, $0.target) }
            .first { index.volumeByTarget[$0.1] == key }.map { Normalize.vdev($0.0) }
            ?? index.state.domains.lazy.flatMap(\.disks).map { ($0.vdev, $0.target) }
            .first { index.volumeByTarget[$0.1] == key }.map { Normalize.vdev($0.0) } ?? key.name
        let disk = BackupJob.Disk(
            vdev: vdev, container: key.container, volume: key.name, size: index.volumes[key] ?? .zero,
            poolKind: isFile ? "dir" : "lvm")
        let named = owner ?? key.name
        let (keep, after) = safetyNet.next(for: named, keep: policy.keep)
        let job = BackupJob(
            domain: named, directory: directory, disks: [disk], pause: false, consistency: "stopped", keep: keep,
            config: nil, xenplanVersion: desired.options.xenplanVersion)
        let id = add(
            Draft(
                kind: .backup, host: host, domain: owner, summary: safetyNetSummary([disk], policy: policy, keep: keep, on: index),
                reason:
                    "safety net: volume \(key.description) is removed next (--allow-data-loss); the backup policy keeps a copy in pool \(policy.pool) (\(directory))",
                disruption: .none, operations: [.backup(job)], deps: after))
        safetyNet.backupsOf[named, default: []].append(id)
        safetyNet.backupOf[key] = id
        return ([id], "")
    }

    private func safetyNetSummary(_ disks: [BackupJob.Disk], policy: BackupPolicy, keep: Int, on index: HostIndex) -> String {
        var summary =
            "\(disks.count) \(disks.count == 1 ? "disk" : "disks") (\(BackupDisks.describe(disks))) to pool \(policy.pool), keep \(keep), before what is lost"
        let leftovers = BackupDisks.leftovers(disks, on: index)
        if !leftovers.isEmpty {
            summary +=
                "; leftover snapshot\(leftovers.count == 1 ? "" : "s") of an interrupted backup removed first: " + leftovers.joined(separator: ", ")
        }
        return summary
    }

    func checkSafetyNet() throws(PlanRefusal) {
        let problems = safetyNet.problems
        guard !problems.isEmpty else { return }
        throw PlanRefusal(
            hosts: Array(Set(problems.map(\.host))).sorted(), domains: Array(Set(problems.map(\.domain))).sorted(), shortfall: .zero,
            message: problems.map(\.message).joined(separator: "\n")
                + "\nnothing is destroyed or removed without the backup its policy asks for: make the pool reach the host, or change the policy")
    }
}

extension Planner {
    /// Each destroy and volume removal says which backup it waits for, by the number the
    /// plan (after `--host`/`--domain`) gives it.
    static func namingSafetyNetBackups(_ actions: [PlannedAction]) -> [PlannedAction] {
        actions.map { a in
            guard a.kind == .destroy || a.kind == .removeVolume else { return a }
            let backups = a.dependsOn.filter { actions[$0].kind == .backup }
            guard !backups.isEmpty else { return a }
            var a = a
            a.reason += "; after backup " + backups.map { "#\($0)" }.joined(separator: ", ")
            return a
        }
    }
}

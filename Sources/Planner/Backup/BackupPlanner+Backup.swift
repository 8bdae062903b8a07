import HostModel
import Manifest
import XenplanBasics

/// `xenplan backup [DOMAIN…]`: one `backup` action per domain, on the host that holds its
/// configuration, at the consistency its policy asks for.
extension BackupPlanner {
    static func plannedBackups(lab: Lab, observed: [HostState], domains: [String], options: PlanOptions) throws(PlanRefusal) -> Plan {
        let desired = DesiredState(lab: lab, options: options)
        let hosts = ObservedState(observed, desired: desired)
        var names: [String] = []
        for name in domains.isEmpty ? lab.domains.filter({ $0.backups != nil }).map(\.name) : domains where !names.contains(name) {
            names.append(name)
        }
        guard !names.isEmpty else {
            throw PlanRefusal(
                hosts: [], domains: [], shortfall: .zero,
                message: "no domain has a backup policy: declare a top-level backups: {pool: NAME}, or backups on a domain")
        }
        var actions: [PlannedAction] = []
        var notices: [Notice] = []
        for name in names {
            var action = try backupAction(of: name, desired: desired, hosts: hosts, notices: &notices)
            action.id = actions.count
            actions.append(action)
        }
        return plan(lab: lab, observed: observed, hosts: hosts, actions: actions, notices: notices, options: options)
    }

    private static func backupAction(
        of name: String, desired: DesiredState, hosts: ObservedState, notices: inout [Notice]
    ) throws(PlanRefusal) -> PlannedAction {
        let lab = desired.lab
        guard let spec = desired.declared[name] else {
            let hint = Suggestion.closest(to: name, among: lab.domains.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
            throw refusal(domain: name, "domain \(shownValue(name)) is not declared\(hint)")
        }
        guard let policy = spec.backups else {
            throw refusal(
                domain: name,
                lab.backups == nil
                    ? "\(name) has no backup policy: declare backups: {pool: NAME} at the top level or on the domain"
                    : "\(name) says backups: none")
        }
        let running = hosts.runningOn[name]?.first
        guard let host = running ?? hosts.configOn[name]?.first, let index = hosts.hosts[host] else {
            throw refusal(domain: name, "\(name) neither runs nor has a configuration on any observed host: there is nothing to back up")
        }
        let config = index.config(name)
        let state = running == nil ? nil : index.domain(name)
        let list: [(vdev: String, target: String)] =
            config.map { $0.disks.map { ($0.vdev, $0.target) } } ?? state?.disks.map { ($0.vdev, $0.target) } ?? []
        let found = BackupDisks(list, seed: config?.seed?.target, index: index, desired: desired)
        guard !found.disks.isEmpty else {
            throw refusal(host: host, domain: name, "\(name) on \(host) has no disk on a volume of a declared pool: there is nothing to back up")
        }
        if !found.skipped.isEmpty {
            notices.append(
                Notice(
                    kind: .backup, host: host, domain: name, message: "not backed up (not a pool volume): " + found.skipped.joined(separator: ", ")))
        }
        let directory: String
        switch BackupPool.directory(of: policy, on: host, desired: desired) {
        case let .success(path): directory = path
        case let .failure(problem): throw refusal(host: host, domain: name, "cannot back up \(name) on \(host): \(problem.message)")
        }
        // Snapshots take room in their volume group; observation does not report a group's
        // free space, so a group too full for them makes the host's backup fail (and
        // leaves nothing behind) rather than the plan refuse.
        let hasDirDisk = found.disks.contains { $0.poolKind == "dir" }
        var job = BackupJob(
            domain: name, directory: directory, disks: found.disks, pause: false, consistency: "stopped", keep: policy.keep,
            config: config, xenplanVersion: desired.options.xenplanVersion)
        var operations: [HostOperation]
        let disruption: Disruption
        let how: String
        if state == nil {
            how = "stopped, nothing paused"
            disruption = .none
            operations = [.backup(job)]
        } else {
            switch policy.consistency {
            case .live:
                job.pause = hasDirDisk
                job.consistency = "live"
                how = hasDirDisk ? "paused for the copy of its dir-pool disk (live otherwise: a file's snapshot is a copy)" : "live snapshots"
                disruption = hasDirDisk ? .pause : .none
                operations = [.backup(job)]
            case .pause:
                job.pause = true
                job.consistency = "pause"
                how = "paused for the snapshots"
                disruption = .pause
                operations = [.backup(job)]
            case .shutdown:
                guard let config else {
                    throw refusal(
                        host: host, domain: name,
                        "cannot shut \(name) down for its backup: it has no xenplan configuration on \(host) to start it again from; apply first")
                }
                // Shut down, it could not start again while another guest has its disk:
                // the backup would leave it down.
                if let why = hosts.diskInUse(name, disks: config.disks) {
                    throw refusal(
                        host: host, domain: name,
                        "cannot shut \(name) down for its backup: \(why), so it could not start again; detach it there, or back it up with consistency: pause"
                    )
                }
                job.consistency = "shutdown"
                how = "shut down for the snapshots and started again"
                disruption = .restart
                operations = [.shutdown(domain: name, timeoutSeconds: spec.shutdownTimeout), .backup(job), .create(domain: name)]
            }
        }
        var summary =
            "\(found.disks.count) \(found.disks.count == 1 ? "disk" : "disks") (\(BackupDisks.describe(found.disks))) to pool \(policy.pool), keep \(policy.keep), \(how)"
        let leftovers = BackupDisks.leftovers(found.disks, on: index)
        if !leftovers.isEmpty {
            summary +=
                "; leftover snapshot\(leftovers.count == 1 ? "" : "s") of an interrupted backup removed first: " + leftovers.joined(separator: ", ")
        }
        return PlannedAction(
            id: 0, kind: .backup, host: host, domain: name, summary: summary,
            reason: "backup policy of \(name): pool \(policy.pool) (\(directory)), keep \(policy.keep), consistency \(policy.consistency.rawValue)",
            disruption: disruption, operations: operations)
    }
}

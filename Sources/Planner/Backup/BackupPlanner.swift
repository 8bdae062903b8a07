import HostModel
import Manifest
import XenplanBasics

/// Plans of the `backup` and `restore` commands: the same `Plan` an apply carries out
/// (locks, journal, progress), holding only backup or restore actions.
public enum BackupPlanner {
    /// One `backup` action per named domain (every domain with a backup policy when
    /// `domains` is empty), on the host that has its volumes.
    public static func backupPlan(
        lab: Lab, observed: [HostState], domains: [String], options: PlanOptions = PlanOptions()
    ) throws(PlanRefusal) -> Plan {
        try plannedBackups(lab: lab, observed: observed, domains: domains, options: options)
    }

    /// Restores `domain` from backup `id` (the newest when nil): its disks into new volumes
    /// (named for `newName` when given), or over the current ones, the domain stopped,
    /// with `options.allowDataLoss`.
    public static func restorePlan(
        lab: Lab, observed: [HostState], domain: String, id: String?, newName: String?, options: PlanOptions = PlanOptions()
    ) throws(PlanRefusal) -> Plan {
        try plannedRestore(lab: lab, observed: observed, domain: domain, id: id, newName: newName, options: options)
    }

    /// The complete backups the hosts see (one per pool directory, domain and id, even
    /// when several hosts reach the pool), of `domain` or of all, oldest first.
    public static func backups(in observed: [HostState], domain: String? = nil) -> [BackupRecord] {
        var seen = Set<String>()
        var out: [BackupRecord] = []
        for state in observed {
            for record in state.backups where domain == nil || record.domain == domain {
                if seen.insert(record.backupDirectory).inserted { out.append(record) }
            }
        }
        return out.sorted { ($0.domain, $0.id) < ($1.domain, $1.id) }
    }
}

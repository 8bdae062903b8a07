import HostModel
import Manifest
import Planner

/// Which plan an apply-shaped run carries out: the lab's convergence (`apply`), or the
/// backup and restore plans, which take the same locks, keep the same journal and report
/// progress the same way.
public enum ApplyPurpose: Hashable, Sendable {
    case converge
    /// `xenplan backup [DOMAIN…]`: every domain with a policy when empty.
    case backup(domains: [String])
    /// `xenplan restore DOMAIN [--from ID] [--as NEWNAME]`.
    case restore(domain: String, id: String?, newName: String?)

    /// The command named in the host locks it takes.
    public var command: String {
        switch self {
        case .converge: return "xenplan apply"
        case .backup: return "xenplan backup"
        case .restore: return "xenplan restore"
        }
    }

    func plan(lab: Lab, observed: [HostState], options: PlanOptions) throws(PlanRefusal) -> Plan {
        switch self {
        case .converge:
            return try Planner.plan(lab: lab, observed: observed, options: options)
        case let .backup(domains):
            return try BackupPlanner.backupPlan(lab: lab, observed: observed, domains: domains, options: options)
        case let .restore(domain, id, newName):
            return try BackupPlanner.restorePlan(lab: lab, observed: observed, domain: domain, id: id, newName: newName, options: options)
        }
    }
}

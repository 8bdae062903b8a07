import HostModel
import Manifest
import XenplanBasics

/// Where a policy's backups go as one host sees them: the directory of its `dir` pool,
/// when the host reaches it. The loader checks the pool's kind already; a `Lab` built
/// otherwise is checked again here, since a backup written nowhere is data lost.
enum BackupPool {
    /// The pool's directory on `host`, or why there is none (`backup pool 'backup'
    /// (/srv/xen-backups) is not reachable from cpt76`).
    static func directory(of policy: BackupPolicy, on host: String, desired: DesiredState) -> Result<String, Problem> {
        guard let pool = desired.poolsByName[policy.pool] else {
            return .failure(Problem(message: "backup pool '\(policy.pool)' is not declared"))
        }
        guard case let .dir(path) = pool.kind, !path.isEmpty else {
            return .failure(Problem(message: "backup pool '\(policy.pool)' is not a dir pool: backups are files"))
        }
        guard pool.hosts.contains(host) else {
            return .failure(Problem(message: "backup pool '\(policy.pool)' (\(path)) is not reachable from \(host)"))
        }
        return .success(path)
    }

    struct Problem: Error {
        var message: String
    }
}

extension BackupPlanner {
    /// A plan of backup or restore actions, carried out like an apply's: the hosts'
    /// usage stays what it is (a shut-down backup starts the guest again), and the
    /// observed objects are fingerprinted so that a saved plan is checked before it runs.
    static func plan(
        lab: Lab, observed: [HostState], hosts: ObservedState, actions: [PlannedAction], notices: [Notice], options: PlanOptions
    )
        -> Plan
    {
        let usage = hosts.hostNames.compactMap { name -> HostUsage? in
            guard let index = hosts.hosts[name] else { return nil }
            let up = index.state.domains.filter { $0.domid != 0 && $0.state.isUp && $0.transient != .incoming }.count
            return HostUsage(
                host: name, memoryBefore: index.initialUsage.memory, memoryAfter: index.initialUsage.memory,
                memoryAvailable: index.limit.memory, vcpusBefore: index.initialUsage.vcpus, vcpusAfter: index.initialUsage.vcpus,
                vcpuLimit: index.limit.vcpus, domainsBefore: up, domainsAfter: up)
        }
        let summaries = Planner.objectSummaries(of: observed, where: Planner.summarized(actions: actions, notices: notices).contains)
        return Plan(
            lab: lab.name, manifestHash: lab.contentHash, actions: actions, notices: notices, hosts: usage,
            fingerprints: Planner.fingerprints(of: observed), objectSummaries: summaries, madeWith: options.flags)
    }

    static func refusal(host: String? = nil, domain: String, _ message: String) -> PlanRefusal {
        PlanRefusal(hosts: host.map { [$0] } ?? [], domains: [domain], shortfall: .zero, message: message)
    }
}

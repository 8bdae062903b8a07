import Planner

extension Executor {
    /// A backup the plan makes before a destroy or a volume removal (the safety net) is
    /// left out when every step that waits for it is: an apply that destroys nothing
    /// (no `--allow-destroy`, `--max-disruption` below) must not pause the guest, and prune
    /// its older backups, for nothing. A backup nothing waits for (`xenplan backup`) stays.
    static func excludeIdleBackups(in plan: Plan, _ result: inout [Int: Exclusion]) {
        var waiting: [Int: [Int]] = [:]
        for action in plan.actions { for dep in action.dependsOn { waiting[dep, default: []].append(action.id) } }
        let byID = Dictionary(plan.actions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Later backups first: one backup may wait for another of the same domain.
        for action in plan.actions.sorted(by: { $0.id > $1.id }) where action.kind == .backup && result[action.id] == nil {
            guard let after = waiting[action.id], !after.isEmpty else { continue }
            let idle = after.allSatisfy { id in
                guard result[id] != nil, let kind = byID[id]?.kind else { return false }
                return kind == .destroy || kind == .removeVolume || kind == .backup
            }
            // Named after the destroy or removal it was for (another backup only if that is all).
            let steps = after.sorted().compactMap { byID[$0] }
            guard idle, let loss = steps.first(where: { $0.kind != .backup }) ?? steps.first else { continue }
            result[action.id] = .lossLeftOut(id: loss.id, kind: loss.kind, domain: loss.domain)
        }
    }
}

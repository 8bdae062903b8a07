import HostModel
import Manifest
import XenplanBasics

/// Computes the plan that brings observed hosts to the desired state. Pure: values in,
/// values out; the same input always gives the same plan.
public enum Planner {
    /// Diffs `lab` against `observed`, places unplaced domains, orders the actions into a
    /// DAG that never exceeds any host's capacity, and reports notices, usage and N+1.
    /// Throws `PlanRefusal` when the manifests ask for more than the hosts have, or when
    /// no order of the actions fits (two full hosts that must swap domains).
    public static func plan(lab: Lab, observed: [HostState], options: PlanOptions = PlanOptions()) throws(PlanRefusal) -> Plan {
        var b = PlanBuilder(lab: lab, observed: observed, options: options)
        b.planMigrationRecovery()
        b.noteDesiredVolumes()
        b.planBridges()
        b.planUndeclared()
        var unplaced: [DomainSpec] = []
        for d in lab.domains where !b.planDeclared(d) { unplaced.append(d) }
        for d in unplaced { try b.place(d) }
        b.planStaleConfigs()
        b.planOrphans()
        b.finishDestroySummaries()
        b.reportGoneManifests()
        try b.checkQuotas()
        try b.checkImages()

        let (order, extra) = try b.order()
        var newID = Array(repeating: 0, count: b.drafts.count)
        for (position, i) in order.enumerated() { newID[i] = position }
        var actions: [PlannedAction] = []
        actions.reserveCapacity(order.count)
        var effects: Effects = [:]
        for (position, i) in order.enumerated() {
            let d = b.drafts[i]
            let capacityDeps = Set(extra[i]).subtracting(d.deps)
            var reason = d.reason
            if let first = capacityDeps.filter({ b.drafts[$0].kind != .migrate || d.kind != .migrate || b.drafts[$0].releaseHost == d.takeHost })
                .min(by: { newID[$0] < newID[$1] }), d.isTaker {
                let f = b.drafts[first]
                reason += "; after \(f.kind.rawValue) \(f.domain ?? f.summary) on \(f.releaseHost ?? f.host): order for memory"
            }
            let deps = Set(d.deps + extra[i]).map { newID[$0] }.sorted()
            actions.append(PlannedAction(id: position, kind: d.kind, host: d.host, domain: d.domain, targetHost: d.targetHost,
                                         summary: d.summary, reason: reason, disruption: d.disruption, operations: d.operations,
                                         dependsOn: deps, waitsForBalloon: d.waitsForBalloon))
            effects[position] = (d.takeHost.map { ($0, d.take) }, d.releaseHost.map { ($0, d.release) })
        }
        let limits = b.hosts.mapValues(\.limit)
        let usage = b.hosts.mapValues(\.initialUsage)
        if case let .failure(refusal) = replay(actions, effects: effects, limits: limits, usage: usage) { throw refusal }

        var notices = b.notices
        var hostUsage = b.hostUsage()
        let selection = Selection(hosts: options.hosts, domains: options.domains)
        if !selection.isEverything {
            let (kept, leftOut) = selection.apply(to: actions)
            notices = notices.filter(selection.keeps)
            for (id, because) in leftOut {
                let a = actions[id], cause = actions[because]
                notices.append(Notice(kind: .excluded, host: a.host, domain: a.domain,
                                      message: "left out: \(a.kind.rawValue) \(a.summary) needs #\(because) \(cause.kind.rawValue)"
                                          + (cause.domain.map { " of \($0)" } ?? " \(cause.summary)") + " on \(cause.host), which the selection leaves out"))
            }
            (actions, effects) = renumbered(actions, effects: effects, keeping: kept)
            switch replay(actions, effects: effects, limits: limits, usage: usage) {
            case let .failure(refusal): throw refusal
            case let .success(final):
                hostUsage = hostUsage.map { u in
                    var u = u
                    u.memoryAfter = final[u.host]?.memory ?? u.memoryBefore
                    u.vcpusAfter = final[u.host]?.vcpus ?? u.vcpusBefore
                    u.domainsAfter = u.domainsBefore + domainDelta(actions, on: u.host)
                    return u
                }
            }
        }

        let prints = fingerprints(of: observed)
        let summaries = objectSummaries(of: observed, where: summarized(actions: actions, notices: notices).contains)
        let checked = b.nPlusOneNotChecked == nil
        return Plan(lab: lab.name, manifestHash: lab.contentHash, actions: actions, notices: notices,
                    hosts: hostUsage, nPlusOne: checked ? b.nPlusOne() : [], nPlusOneNotChecked: b.nPlusOneNotChecked,
                    fingerprints: prints, objectSummaries: summaries, madeWith: options.flags)
    }

    typealias Effects = [Int: (take: (String, Resources)?, release: (String, Resources)?)]

    /// The kept actions, numbered again from 0 in the same order.
    static func renumbered(_ actions: [PlannedAction], effects: Effects, keeping kept: Set<Int>) -> ([PlannedAction], Effects) {
        var newID: [Int: Int] = [:]
        var result: [PlannedAction] = []
        var newEffects: Effects = [:]
        for a in actions where kept.contains(a.id) {
            var a2 = a
            a2.id = result.count
            newID[a.id] = a2.id
            a2.dependsOn = a.dependsOn.compactMap { newID[$0] }.sorted()
            newEffects[a2.id] = effects[a.id]
            result.append(a2)
        }
        return (result, newEffects)
    }

    /// How many more guests run on `host` once `actions` are done.
    static func domainDelta(_ actions: [PlannedAction], on host: String) -> Int {
        var delta = 0
        for a in actions {
            let starts = a.operations.contains { if case .create = $0 { true } else { false } }
            let stops = a.operations.contains { if case .shutdown = $0 { true } else { false } }
            switch a.kind {
            case .create, .start: if a.host == host && starts { delta += 1 }
            case .migrate:
                if a.host == host { delta -= 1 }
                if a.targetHost == host { delta += 1 }
            case .stop, .destroy: if a.host == host && stops { delta -= 1 }
            default: break
            }
        }
        return delta
    }
}

extension PlanBuilder {
    /// Volumes any declared disk uses, wherever its domain is: never orphans, even when
    /// the domain is outside --host/--domain.
    /// A domain the planner has yet to place could land on any host: its disks' volumes on
    /// each of them are kept (a volume it already has is its data, wherever it is).
    mutating func noteDesiredVolumes() {
        for d in lab.domains {
            let known = d.host ?? runningOn[d.name]?.first ?? configOn[d.name]?.first
            for host in known.map({ [$0] }) ?? lab.hosts.map(\.name) {
                for disk in resolveDisks(d, on: host) { if let key = disk.volume { desiredVolumes.insert(key) } }
            }
        }
    }
}

extension Planner {
    /// Keys of the objects a plan's actions and notices name: hosts, their domains and
    /// configurations, volumes and bridges. Their summaries go into the plan.
    static func summarized(actions: [PlannedAction], notices: [Notice]) -> Set<String> {
        var keys: Set<String> = []
        func domain(_ name: String?, on host: String?) {
            guard let name, let host else { return }
            keys.insert("domain/\(host)/\(name)")
            keys.insert("config/\(host)/\(name)")
        }
        for a in actions {
            keys.insert("host/\(a.host)")
            domain(a.domain, on: a.host)
            if let t = a.targetHost {
                keys.insert("host/\(t)")
                domain(a.domain, on: t)
            }
            for op in a.operations {
                switch op {
                case let .createVolume(c, n, _), let .growVolume(c, n, _): keys.insert("volume/\(a.host)/\(c)/\(n)")
                case let .removeVolume(c, n): keys.insert("volume/\(a.host)/\(c)/\(n)")
                case let .createBridge(name, _): keys.insert("bridge/\(a.host)/\(name)")
                default: break
                }
            }
        }
        for n in notices {
            if let h = n.host { keys.insert("host/\(h)") }
            domain(n.domain, on: n.host)
        }
        return keys
    }
}

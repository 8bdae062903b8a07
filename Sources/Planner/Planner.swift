import HostModel
import Manifest
import XenplanBasics

/// Computes the plan that brings observed hosts to the desired state. Pure: values in,
/// values out; the same input always gives the same plan.
///
/// The phases, each a type that owns its state: `DesiredState` and `ObservedState` index
/// the inputs; `MigrationRecovery` settles what interrupted migrations left; `Diff` turns
/// every domain into drafts and notices (with `MigrationDecision` and `Placement`);
/// `Ordering` makes them a DAG of actions that fits every host; `Replay` checks it;
/// `Selection` keeps what `--host`/`--domain` ask for; `Report` says what the hosts will
/// carry.
public enum Planner {
    /// Diffs `lab` against `observed`, places unplaced domains, orders the actions into a
    /// DAG that never exceeds any host's capacity, and reports notices, usage and N+1.
    /// Throws `PlanRefusal` when the manifests ask for more than the hosts have, or when
    /// no order of the actions fits (two full hosts that must swap domains).
    public static func plan(lab: Lab, observed: [HostState], options: PlanOptions = PlanOptions()) throws(PlanRefusal) -> Plan {
        // Fingerprinting every observed object depends on the observation alone: it runs
        // beside the planning proper.
        let (prints, planned) = concurrently(
            { fingerprints(of: observed) },
            { Result { () throws(PlanRefusal) -> Plan in try actions(lab: lab, observed: observed, options: options) } })
        var plan = try planned.get()
        plan.fingerprints = prints
        return plan
    }

    /// The plan without the fingerprints of what was observed.
    private static func actions(lab: Lab, observed: [HostState], options: PlanOptions) throws(PlanRefusal) -> Plan {
        let desired = DesiredState(lab: lab, options: options)
        let recovery = MigrationRecovery(observed: ObservedState(observed, desired: desired))
        var diff = Diff(desired: desired, recovery: recovery)
        try diff.run()

        let hosts = diff.observed
        let ordering = Ordering(
            drafts: diff.graph.drafts, limits: hosts.limits, usage: hosts.initialUsage,
            migrationsPerHost: options.maxMigrationsPerHost)
        var (actions, effects) = try ordering.actions()
        let replay = Replay(limits: hosts.limits, usage: hosts.initialUsage)
        if case let .failure(refusal) = replay.run(actions, effects: effects) { throw refusal }

        let report = Report(desired: desired, observed: hosts, ledger: diff.ledger)
        var notices = diff.notices
        var hostUsage = report.hostUsage()
        let selection = Selection(hosts: options.hosts, domains: options.domains)
        if !selection.isEverything {
            let (kept, leftOut) = selection.apply(to: actions)
            notices = notices.filter(selection.keeps)
            for (id, because) in leftOut {
                let a = actions[id], cause = actions[because]
                notices.append(
                    Notice(
                        kind: .excluded, host: a.host, domain: a.domain,
                        message: "left out: \(a.kind.rawValue) \(a.summary) needs #\(because) \(cause.kind.rawValue)"
                            + (cause.domain.map { " of \($0)" } ?? " \(cause.summary)") + " on \(cause.host), which the selection leaves out"))
            }
            (actions, effects) = Selection.renumbered(actions, effects: effects, keeping: kept)
            switch replay.run(actions, effects: effects) {
            case let .failure(refusal): throw refusal
            case let .success(final):
                hostUsage = hostUsage.map { u in
                    var u = u
                    u.memoryAfter = final[u.host]?.memory ?? u.memoryBefore
                    u.vcpusAfter = final[u.host]?.vcpus ?? u.vcpusBefore
                    u.domainsAfter = u.domainsBefore + Report.domainDelta(actions, on: u.host)
                    return u
                }
            }
        }

        actions = namingSafetyNetBackups(actions)
        let notChecked = report.nPlusOneNotChecked
        let wanted = summarized(actions: actions, notices: notices)
        // Two independent readings of what is settled: side by side.
        let (summaries, nPlusOne) = concurrently(
            { objectSummaries(of: observed, where: wanted.contains) },
            { notChecked == nil ? report.nPlusOne() : [] })
        return Plan(
            lab: lab.name, manifestHash: lab.contentHash, actions: actions, notices: notices,
            hosts: hostUsage, nPlusOne: nPlusOne, nPlusOneNotChecked: notChecked,
            objectSummaries: summaries, madeWith: options.flags)
    }
}

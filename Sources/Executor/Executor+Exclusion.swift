import Planner

/// Why an action is left out of an apply before it starts.
public enum Exclusion: Hashable, Sendable, CustomStringConvertible {
    /// Its class is above `--max-disruption`.
    case aboveMaxDisruption(Disruption, limit: Disruption)
    /// It depends on an action that is left out.
    case dependsOnExcluded(id: Int, kind: ActionKind, domain: String?)
    /// A destroy, and neither `--allow-destroy` nor an interactive yes allowed it.
    case destroyNotAllowed
    /// A backup made only for what a destroy or a volume removal loses, and that step is
    /// left out (see `Executor+SafetyNet`).
    case lossLeftOut(id: Int, kind: ActionKind, domain: String?)

    public var description: String {
        switch self {
        case let .aboveMaxDisruption(d, limit):
            return "class \(d.rawValue) is above --max-disruption \(limit.rawValue)"
        case let .dependsOnExcluded(id, kind, domain):
            return "depends on #\(id) \(kind.rawValue)\(domain.map { " " + $0 } ?? ""), which is left out"
        case .destroyNotAllowed:
            return "destroying needs --allow-destroy (or answering yes to the question that lists it)"
        case let .lossLeftOut(id, kind, domain):
            return "it backs up what #\(id) \(kind.rawValue)\(domain.map { " " + $0 } ?? "") loses, which is left out"
        }
    }
}

extension Executor {
    /// The actions `--max-disruption limit` leaves out: those above the class, and
    /// everything that depends on them, directly or not.
    /// With `refusingDestroy`, every destroy (and every removal of a suspended guest's
    /// memory) is left out too, with what depends on it.
    public static func exclusions(in plan: Plan, maxDisruption limit: Disruption, refusingDestroy: Bool = false) -> [Int: Exclusion] {
        var result: [Int: Exclusion] = [:]
        // Dependencies always have smaller ids, so one pass in plan order sees them first.
        for action in plan.actions.sorted(by: { $0.id < $1.id }) {
            if refusingDestroy && action.discardsGuest {
                result[action.id] = .destroyNotAllowed
            } else if action.disruption > limit {
                result[action.id] = .aboveMaxDisruption(action.disruption, limit: limit)
            } else if let dep = action.dependsOn.sorted().first(where: { result[$0] != nil }),
                let cause = plan.actions.first(where: { $0.id == dep })
            {
                result[action.id] = .dependsOnExcluded(id: dep, kind: cause.kind, domain: cause.domain)
            }
        }
        excludeIdleBackups(in: plan, &result)
        return result
    }
}

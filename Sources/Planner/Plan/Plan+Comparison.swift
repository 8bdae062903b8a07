import HostModel

extension Plan {
    /// The first way `fresh` differs from this (saved) plan, action for action: kind,
    /// host, domain, target, disruption class, operations, order and dependencies. Nil
    /// when they are the same plan.
    public func firstDifference(from fresh: Plan) -> String? {
        for (position, (saved, now)) in zip(actions, fresh.actions).enumerated() where !Self.same(saved, now) || saved.id != position {
            if saved.kind != now.kind || saved.host != now.host || saved.domain != now.domain
                || saved.targetHost != now.targetHost || saved.disruption != now.disruption
            {
                return "action #\(position) is \(Self.describe(saved)) in the saved plan, but \(Self.describe(now)) in a plan made now"
            }
            if saved.operations != now.operations || saved.operationHosts != now.operationHosts {
                return "action #\(position) \(Self.describe(saved)) would perform other operations than a plan made now does"
            }
            return "action #\(position) \(Self.describe(saved)) is ordered differently from a plan made now (it depends on "
                + "\(saved.dependsOn.map { "#\($0)" }.joined(separator: ", ")), now on \(now.dependsOn.map { "#\($0)" }.joined(separator: ", ")))"
        }
        if actions.count < fresh.actions.count {
            return
                "a plan made now has \(fresh.actions.count) actions, the saved plan \(actions.count); the first it lacks is #\(actions.count) \(Self.describe(fresh.actions[actions.count]))"
        }
        if actions.count > fresh.actions.count {
            return
                "the saved plan has \(actions.count) actions, a plan made now \(fresh.actions.count); the first no longer planned is #\(fresh.actions.count) \(Self.describe(actions[fresh.actions.count]))"
        }
        return nil
    }

    static func same(_ a: PlannedAction, _ b: PlannedAction) -> Bool {
        a.kind == b.kind && a.host == b.host && a.domain == b.domain && a.targetHost == b.targetHost
            && a.disruption == b.disruption && a.operations == b.operations && a.operationHosts == b.operationHosts
            && a.dependsOn == b.dependsOn
            && a.waitsForBalloon == b.waitsForBalloon
    }

    /// `destroy old-test on cpt18 [destroy]`.
    static func describe(_ a: PlannedAction) -> String {
        "\(a.kind.rawValue) \(a.domain ?? a.summary) on \(a.host)" + (a.targetHost.map { " to \($0)" } ?? "") + " [\(a.disruption.rawValue)]"
    }
}

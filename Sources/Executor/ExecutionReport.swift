import Planner

/// What became of every action of a plan.
public struct ExecutionReport: Sendable {
    public enum Outcome: Hashable, Sendable {
        case done(elapsed: Duration)
        case failed(ActionFailure, elapsed: Duration)
        case skipped(SkipReason)
        /// Left out before the apply started (`--max-disruption`).
        case excluded(Exclusion)
    }

    /// Outcome by action id; every action of the plan has one.
    public var outcomes: [Int: Outcome]
    public var plan: Plan
    /// True when a stop was requested (Ctrl-C) before everything ran.
    public var interrupted: Bool
    public var elapsed: Duration

    public init(plan: Plan, outcomes: [Int: Outcome], interrupted: Bool, elapsed: Duration) {
        self.plan = plan
        self.outcomes = outcomes
        self.interrupted = interrupted
        self.elapsed = elapsed
    }

    public var done: [PlannedAction] { actions { if case .done = $0 { true } else { false } } }
    public var failed: [(action: PlannedAction, failure: ActionFailure)] {
        plan.actions.compactMap { a in
            if case let .failed(f, _)? = outcomes[a.id] { return (a, f) }
            return nil
        }
    }
    public var skipped: [(action: PlannedAction, reason: SkipReason)] {
        plan.actions.compactMap { a in
            if case let .skipped(r)? = outcomes[a.id] { return (a, r) }
            return nil
        }
    }
    public var excluded: [(action: PlannedAction, exclusion: Exclusion)] {
        plan.actions.compactMap { a in
            if case let .excluded(e)? = outcomes[a.id] { return (a, e) }
            return nil
        }
    }

    /// Every action that was meant to run did.
    public var succeeded: Bool { failed.isEmpty && skipped.isEmpty && !interrupted }

    private func actions(_ matching: (Outcome) -> Bool) -> [PlannedAction] {
        plan.actions.filter { outcomes[$0.id].map(matching) ?? false }
    }
}

import Planner

/// The scheduling state of one run.
struct Schedule {
    let actions: [Int: PlannedAction]
    let order: [Int]
    var outcomes: [Int: ExecutionReport.Outcome] = [:]
    var running: Set<Int> = []
    var stopReason: SkipReason?

    init(plan: Plan) {
        actions = Dictionary(plan.actions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        order = plan.actions.map(\.id).sorted()
    }

    /// Up to `limit` actions whose dependencies are all done, in plan order.
    func ready(limit: Int) -> [Int] {
        guard limit > 0 else { return [] }
        var result: [Int] = []
        for id in order where outcomes[id] == nil && !running.contains(id) {
            let deps = actions[id]!.dependsOn
            guard deps.allSatisfy({ if case .done? = outcomes[$0] { true } else { false } }) else { continue }
            result.append(id)
            if result.count == limit { break }
        }
        return result
    }
}

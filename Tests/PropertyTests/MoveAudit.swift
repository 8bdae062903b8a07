import Executor
import HostModel
import Planner
import SimDriver
import XenplanTestSupport

/// What a cold move promises, checked on the hosts' files before and after an apply:
/// a move that completed left its guest running on the target only, each copy holding
/// what the source volume held, and the source volume in place (removed only with
/// `--allow-data-loss`); a move that did not complete changed no source volume.
enum MoveAudit {
    static func check(
        _ report: ExecutionReport?, before: [String: SimHostFile], after: [String: SimHostFile], gates: ApplyGates
    ) -> [String] {
        guard let report else { return [] }
        var problems: [String] = []
        let done = Set(report.done.map(\.id))
        for action in report.plan.actions where action.kind == .move && report.outcomes[action.id] != nil {
            guard let domain = action.domain, let target = action.targetHost else { continue }
            let what = "move of \(domain) from \(action.host) to \(target)"
            if done.contains(action.id) {
                let running = after.filter { $0.value.domains.contains { $0.xlName == domain && $0.state.isUp } }.keys.sorted()
                if running != [target] { problems.append("after the \(what), \(domain) runs on \(running)") }
            }
            for case let .sendVolume(t) in action.operations {
                let source = "\(t.container)/\(t.name)"
                let held = before[action.host]?.content(container: t.container, volume: t.name)
                let kept = after[action.host]?.content(container: t.container, volume: t.name)
                if kept == nil, !gates.allowDataLoss {
                    problems.append("the \(what) removed \(source) on \(action.host) without --allow-data-loss")
                }
                if let kept, kept != held {
                    problems.append("the \(what) changed \(source) on \(action.host)")
                }
                guard done.contains(action.id) else { continue }
                let copy = after[target]?.content(container: t.toContainer, volume: t.toName)
                if copy != held {
                    problems.append(
                        "after the \(what), \(t.toContainer)/\(t.toName) on \(target) holds \(copy ?? "nothing"), \(source) held \(held ?? "nothing")"
                    )
                }
            }
        }
        return problems
    }
}

import Executor
import FoundationEssentials
import HostModel
import Planner
import XenplanBasics

/// Progress of an apply for people: one line when an action starts and one when it ends
/// (with its elapsed time), on standard error; the summary goes to standard output.
final class ProgressText: ExecutionObserver, @unchecked Sendable {
    /// The lines go to standard error: coloured as standard error allows.
    private let style: Style
    private let lock = Lock()
    private let nameWidth: Int

    private var ticker: HeartbeatTicker?

    init(plan: Plan, style: Style = Style(enabled: Console.stderrColorEnabled)) {
        self.style = style
        nameWidth = max(8, plan.actions.compactMap(\.domain).map(\.count).max() ?? 0)
        ticker = HeartbeatTicker { [weak self] action, elapsed, activity in
            guard let self else { return }
            self.emit(self.style.dim("running"), action, detail: "\(Self.seconds(elapsed)) so far: \(activity)")
        }
    }

    func willStart(_ action: PlannedAction) {
        ticker?.started(action)
        emit(style.cyan("start  "), action, detail: action.summary)
    }

    func didFinish(_ action: PlannedAction, elapsed: Duration) {
        ticker?.ended(action)
        emit(style.green("done   "), action, detail: Self.seconds(elapsed))
    }

    func didFail(_ action: PlannedAction, failure: ActionFailure, elapsed: Duration) {
        ticker?.ended(action)
        emit(style.red("FAILED "), action, detail: "\(Self.seconds(elapsed)): \(failure)")
    }

    func didSkip(_ action: PlannedAction, because reason: SkipReason) {
        emit(style.yellow("skipped"), action, detail: reason.description)
    }

    func balloonHolds(_ action: PlannedAction, domain: String, holds: ByteSize, target: ByteSize) {
        ticker?.learnt(action, Heartbeat.balloon(domain: domain, holds: holds, target: target))
    }

    func willPerform(_ operation: HostOperation, step: Int, on host: String, of action: PlannedAction) {
        ticker?.performing(action, step: step)
    }

    func willWaitForBalloon(_ action: PlannedAction, domain: String, target: ByteSize) {
        emit(style.dim("waiting"), action, detail: "for \(domain)'s balloon to come down to \(target)")
    }

    private func emit(_ tag: String, _ action: PlannedAction, detail: String) {
        let line = "  \(tag) \(Self.describe(action, nameWidth: nameWidth))  \(detail)"
        lock.withLock { Console.err(line) }
    }

    /// `#4 cpt18  migrate   git     ` — the action's id, host, kind and domain in columns.
    static func describe(_ action: PlannedAction, nameWidth: Int = 0) -> String {
        let label = PlanText.label(action.kind).padded(to: 9)
        let name = (action.domain ?? "").padded(to: nameWidth)
        let id = "#\(action.id)".padded(to: 3)
        return "\(id) \(action.host)  \(label) \(name)"
    }

    /// `3.1 s`: tenths rounded as C's `%.1f` rounds the nearest `Double` to the
    /// milliseconds, so a half (`0.25`) goes to the even tenth only when exactly a half.
    static func seconds(_ d: Duration) -> String {
        let ms = d.milliseconds
        var (tenths, rest) = ms.quotientAndRemainder(dividingBy: 100)
        if rest > 50 {
            tenths += 1
        } else if rest == 50 {
            let value = Double(ms) / 1000
            // The sign of value × 1000 − ms, computed exactly: is the Double above the half?
            let error = (-Double(ms)).addingProduct(value, 1000)
            if error > 0 || (error == 0 && tenths % 2 == 1) { tenths += 1 }
        }
        return "\(tenths / 10).\(tenths % 10) s"
    }

    /// The end of an apply: counts, then what failed and why, what was skipped, what was
    /// left out, and what to do next.
    static func summary(_ report: ExecutionReport, directory: String, style: Style) -> String {
        var out: [String] = []
        let counts = "\(report.done.count) done, \(report.failed.count) failed, \(report.skipped.count) skipped, \(report.excluded.count) left out"
        if report.succeeded {
            out.append(style.green("Apply complete") + " in \(seconds(report.elapsed)): \(counts).")
        } else if report.interrupted {
            out.append(style.yellow("Apply interrupted") + " after \(seconds(report.elapsed)): \(counts).")
        } else {
            out.append(style.red("Apply failed") + " after \(seconds(report.elapsed)): \(counts).")
        }
        func name(_ a: PlannedAction) -> String {
            "#\(a.id) \(PlanText.label(a.kind)) \(a.domain.map { $0 + " " } ?? "")on \(a.host)"
        }
        if !report.failed.isEmpty {
            out.append("Failed:")
            for (action, failure) in report.failed { out.append("  \(name(action)): \(failure)") }
        }
        if !report.skipped.isEmpty {
            out.append("Skipped:")
            for (action, reason) in report.skipped { out.append("  \(name(action)): \(reason)") }
        }
        if !report.excluded.isEmpty {
            out.append("Left out:")
            for (action, exclusion) in report.excluded { out.append("  \(name(action)): \(exclusion)") }
        }
        if !report.succeeded {
            out.append("Run `xenplan plan \(directory)` to see what is left, then `xenplan apply \(directory)` to carry it out.")
        }
        return out.joined(separator: "\n")
    }
}

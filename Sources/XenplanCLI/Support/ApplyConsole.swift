import Executor
import FoundationEssentials
import HostModel
import Manifest
import Planner
import XenplanBasics

/// What `xenplan apply` shows before it executes, and the question it asks: the plan as
/// `xenplan plan` shows it, with what will not run moved to the notices, then `yes`; then
/// the progress of the actions, as text or JSON lines.
final class ApplyConsole: ApplyDelegate, @unchecked Sendable {
    let json: Bool
    let directory: String
    let domains: [String]
    let journalPath: String
    let runID: String
    let lab: Lab
    let style: Style
    let interactive: Bool
    /// `xenplan apply`, `xenplan backup`, `xenplan restore`: the event stream's name.
    let command: String
    /// Made once the plan is known (the text form aligns on its longest domain name).
    private var progress: (any ExecutionObserver)?

    init(
        json: Bool, directory: String, domains: [String], journalPath: String, runID: String, lab: Lab, style: Style, interactive: Bool,
        command: String = "xenplan apply"
    ) {
        self.command = command
        self.json = json
        self.directory = directory
        self.domains = domains
        self.journalPath = journalPath
        self.runID = runID
        self.lab = lab
        self.style = style
        self.interactive = interactive
    }

    func warn(_ message: String) { Console.err("warning: \(message)") }

    /// The actions a review leaves out, with why, in plan order.
    static func excluded(_ review: ApplyReview) -> [ActionOutcome] {
        review.plan.actions.compactMap { a in review.exclusions[a.id].map { ActionOutcome(a, $0.description) } }
    }

    func review(_ review: ApplyReview) {
        do {
            try LabSession.checkDomains(domains, in: lab, observed: review.observation.states, directory: directory)
        } catch {
            Console.err("warning: \(error)")
        }
        let plan = review.plan
        progress = json ? ProgressJSON() : ProgressText(plan: plan)
        if json {
            ProgressJSON.line(.stream(StreamEvent(command: command, run: runID)))
            ProgressJSON.line(
                .plan(PlanEvent(actions: review.toRun, digest: plan.digest, excluded: Self.excluded(review))))
        } else {
            var shown = plan
            shown.actions = plan.actions.filter { review.exclusions[$0.id] == nil }
            for action in plan.actions {
                guard let exclusion = review.exclusions[action.id] else { continue }
                shown.notices.append(
                    Notice(
                        kind: .excluded, host: action.host, domain: action.domain,
                        message: "left out: \(PlanText.label(action.kind)) \(action.summary) (\(exclusion))"))
            }
            Console.out(ObservationLine(review.observation).render() + "\n")
            Console.out(PlanText(plan: shown, style: .current, directory: directory, closing: .none).render())
        }
        if review.toRun > 0 && !interactive { announce(review) }
    }

    /// `Applying 10 actions (run …, journal …):`, once the go-ahead is given.
    private func announce(_ review: ApplyReview) {
        if !json {
            Console.err("Applying \(review.toRun) action\(review.toRun == 1 ? "" : "s") (run \(runID), journal \(journalPath)):")
        }
    }

    func confirm(_ review: ApplyReview) async -> Bool {
        guard Console.stdinIsTerminal else { return false }
        let count = review.toRun
        let hosts = Set(review.plan.actions.filter { review.exclusions[$0.id] == nil }.map(\.host)).count
        var question = "\nApply \(count) action\(count == 1 ? "" : "s") to \(hosts) host\(hosts == 1 ? "" : "s")"
        if !review.destroysToConfirm.isEmpty {
            question += ", destroying " + review.destroysToConfirm.map { "\($0.domain ?? "?") on \($0.host)" }.joined(separator: ", ")
        }
        _ = writeFully(2, Data((question + "? Only 'yes' is accepted: ").utf8))
        let answer = readLine(strippingNewline: true)?.trimmingSpaces()
        guard answer == "yes" else { return false }
        announce(review)
        return true
    }
}

extension ApplyConsole: ExecutionObserver {
    func willStart(_ action: PlannedAction) { progress?.willStart(action) }
    func didFinish(_ action: PlannedAction, elapsed: Duration) { progress?.didFinish(action, elapsed: elapsed) }
    func didFail(_ action: PlannedAction, failure: ActionFailure, elapsed: Duration) { progress?.didFail(action, failure: failure, elapsed: elapsed) }
    func didSkip(_ action: PlannedAction, because reason: SkipReason) { progress?.didSkip(action, because: reason) }
    func balloonHolds(_ action: PlannedAction, domain: String, holds: ByteSize, target: ByteSize) {
        progress?.balloonHolds(action, domain: domain, holds: holds, target: target)
    }

    func willWaitForBalloon(_ action: PlannedAction, domain: String, target: ByteSize) {
        progress?.willWaitForBalloon(action, domain: domain, target: target)
    }
}

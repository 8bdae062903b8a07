import ArgumentParser
import Executor
import Foundation
import HostModel
import Planner
import XenplanBasics

extension Disruption: ExpressibleByArgument {}

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Plan (or load a saved plan), confirm, and carry it out on the hosts.",
        discussion: "See docs/apply.md: locks, journal, failures, saved plans."
    )

    @Argument(help: "Directory of manifests (default: current directory), or a plan saved with `xenplan plan --out`.")
    var target: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var planning: PlanningOptions

    @Flag(name: .customLong("auto-approve"), help: "Do not ask for confirmation.")
    var autoApprove = false

    @Option(name: .customLong("max-disruption"),
            help: "Leave out actions above this class, and those that depend on them: none, live, pause, restart, destroy, data-loss.")
    var maxDisruption: Disruption = .dataLoss

    @Option(help: "At most this many actions at once, over all hosts.")
    var parallelism: Int = 4

    @Option(name: .customLong("balloon-timeout"), help: "Seconds a guest may take to give memory back after a decrease.")
    var balloonTimeout: Int = 120

    @Flag(help: "Print progress and the summary as JSON lines.")
    var json = false

    func validate() throws {
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1, not \(parallelism)") }
        guard balloonTimeout >= 0 else { throw ValidationError("--balloon-timeout must not be negative") }
    }

    func run() async throws {
        var ok = false
        try await guarded {
            let interruption = Interruption()
            // Before anything is changed, an interrupt simply ends the process (locks are
            // released by the handler installed once they are taken).
            interruption.onInterrupt { _ in
                Console.err("Interrupted; nothing was changed.")
                Foundation.exit(1)
            }
            ok = try await apply(interruption)
        }
        if !ok { throw ExitCode.failure }
    }

    /// Returns whether everything meant to run did.
    private func apply(_ interruption: Interruption) async throws -> Bool {
        let source = try ApplySource.resolve(target)
        let journalPath = URL(fileURLWithPath: state.path).appendingPathComponent("journal.jsonl").path
        if case let .savedPlan(path, plan) = source {
            try rejectPlanningFlags()
            if let run = Journal.runThatApplied(planDigest: plan.digest, at: journalPath) {
                throw ApplyMessages.alreadyApplied(path, run: run)
            }
        }
        let directory = source.manifestDirectory
        var hostFilter = planning.hosts
        if case let .savedPlan(_, plan) = source { hostFilter = plan.hosts.map(\.host) }
        let session = try LabSession.open(directory: directory, stateDirectory: state.path, hostFilter: hostFilter)
        for warning in session.warnings { Console.err(warning.description) }
        if case let .savedPlan(path, plan) = source, session.lab.contentHash != plan.manifestHash {
            throw ApplyMessages.manifestsChanged(path, directory: directory)
        }

        let runID = Executor.newRunID()
        let locks = try await lock(session.drivers, runID: runID, directory: directory)
        if let (run, started) = Journal.unfinishedRun(at: journalPath) {
            let cut = started.map { "#\($0.action ?? 0) \($0.kind ?? "") \($0.domain ?? "") on \($0.host ?? "")" }
            Console.err("warning: the previous apply (run \(run.run), \(run.time)) did not finish"
                + (cut.isEmpty ? "" : "; it had started: " + cut.joined(separator: ", "))
                + ". The plan below is made from the hosts as they are now.")
        }
        let stop = StopRequest()
        interruption.onInterrupt { count in
            if count == 1 && stop.request() {
                Console.err("Interrupted: running actions finish, nothing new starts (interrupt again to abandon them).")
            } else {
                Console.err("Interrupted again: abandoning running actions; `xenplan plan` shows what is left.")
                locks.releaseAllBlocking()
                Foundation.exit(1)
            }
        }
        do {
            let result = try await execute(source, session: session, runID: runID, stop: stop, journalPath: journalPath)
            for problem in await locks.releaseAll() { Console.err("warning: \(problem)") }
            return result
        } catch {
            for problem in await locks.releaseAll() { Console.err("warning: \(problem)") }
            throw error
        }
    }

    private func execute(_ source: ApplySource, session: LabSession, runID: String, stop: StopRequest,
                         journalPath: String) async throws -> Bool {
        let directory = source.manifestDirectory
        let (observed, elapsed) = try await session.observe()
        let plan: Plan
        switch source {
        case .directory:
            plan = try Planner.plan(lab: session.lab, observed: observed, options: planning.planOptions)
        case let .savedPlan(path, saved):
            let changes = saved.staleObjects(comparedWith: observed)
            if !changes.isEmpty { throw ApplyMessages.stale(path, changes, directory: directory) }
            plan = saved
        }
        let exclusions = Executor.exclusions(in: plan, maxDisruption: maxDisruption)
        let toRun = plan.actions.count - exclusions.count
        show(plan, exclusions: exclusions, observed: ObservationLine(states: observed, elapsed: elapsed), directory: directory)
        guard toRun > 0 else {
            if json {
                ProgressJSON.line(["event": "summary", "succeeded": true, "done": 0, "interrupted": false, "elapsedMs": 0,
                                   "failed": [Any](), "skipped": [Any](), "excluded": exclusions.keys.sorted()])
            } else {
                Console.out(exclusions.isEmpty ? "No changes. Nothing to apply." : "Nothing to apply within --max-disruption \(maxDisruption.rawValue).")
            }
            return true
        }
        try confirm(count: toRun, hosts: Set(plan.actions.filter { exclusions[$0.id] == nil }.map(\.host)).count)

        let journal: Journal
        do {
            journal = try Journal(path: journalPath)
        } catch {
            throw UserFacingError("\(error); nothing was changed")
        }
        let style = Style(enabled: Console.colorEnabled)
        let observer: any ExecutionObserver = json ? ProgressJSON() : ProgressText(plan: plan, style: style)
        let options = ExecutorOptions(parallelism: parallelism, balloonTimeout: .seconds(balloonTimeout), excluded: exclusions)
        let executor = Executor(plan: plan, drivers: session.drivers, options: options, observer: observer,
                                journal: journal, stop: stop, runID: runID)
        if !json { Console.err("Applying \(toRun) action\(toRun == 1 ? "" : "s") (run \(runID), journal \(journalPath)):") }
        let report = try await executor.run()
        if json {
            ProgressJSON.line(ProgressJSON.summary(report))
        } else {
            Console.out(ProgressText.summary(report, directory: directory, style: style))
        }
        return report.succeeded
    }

    /// The plan as `xenplan plan` shows it, with the actions `--max-disruption` leaves out
    /// moved to the notices; on standard output (JSON mode: one `plan` line).
    private func show(_ plan: Plan, exclusions: [Int: Exclusion], observed: ObservationLine, directory: String) {
        if json {
            var object: [String: Any] = ["event": "plan", "actions": plan.actions.count - exclusions.count,
                                         "digest": plan.digest]
            object["excluded"] = exclusions.keys.sorted()
            ProgressJSON.line(object)
            return
        }
        var shown = plan
        shown.actions = plan.actions.filter { exclusions[$0.id] == nil }
        for action in plan.actions {
            guard let exclusion = exclusions[action.id] else { continue }
            shown.notices.append(Notice(kind: .excluded, host: action.host, domain: action.domain,
                                        message: "left out: \(PlanText.label(action.kind)) \(action.summary) (\(exclusion))"))
        }
        Console.out(observed.render() + "\n")
        let text = PlanText(plan: shown, style: .current, directory: directory).render()
        // The closing hint of `plan` ("Run `xenplan apply`…") is not for this command.
        Console.out(text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("Run `xenplan apply") }.joined(separator: "\n"))
    }

    private func confirm(count: Int, hosts: Int) throws {
        if autoApprove { return }
        guard Console.stdinIsTerminal else { throw ApplyMessages.needsTerminal }
        FileHandle.standardError.write(Data("\nApply \(count) action\(count == 1 ? "" : "s") to \(hosts) host\(hosts == 1 ? "" : "s")? Only 'yes' is accepted: ".utf8))
        let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
        guard answer == "yes" else { throw UserFacingError("apply cancelled; nothing was changed") }
    }

    private func lock(_ drivers: [any HostDriver], runID: String, directory: String) async throws -> HostLocks {
        let owner = HostLocks.currentOwner(command: "xenplan apply", runID: runID)
        do {
            let (locks, takeOvers) = try await HostLocks.acquire(drivers, owner: owner)
            for t in takeOvers { Console.err(ApplyMessages.takenOver(t)) }
            return locks
        } catch {
            switch error {
            case let .held(held): throw ApplyMessages.locked(held, unlockHint: unlockHint(held.host, directory: directory))
            case let .unsupported(host): throw ApplyMessages.noLocking(host: host)
            case let .unreachable(host, message): throw ApplyMessages.unreachable(host: host, message: message)
            }
        }
    }

    /// `xenplan unlock cpt18 examples/lab --state-dir S`, with only the parts that differ
    /// from the defaults.
    private func unlockHint(_ host: String, directory: String) -> String {
        var parts = ["xenplan", "unlock", host]
        if directory != "." { parts.append(directory) }
        if let dir = state.stateDir { parts += ["--state-dir", dir] }
        return parts.joined(separator: " ")
    }

    private func rejectPlanningFlags() throws {
        if !planning.hosts.isEmpty { throw ApplyMessages.planningFlagOnSavedPlan("--host") }
        if !planning.domains.isEmpty { throw ApplyMessages.planningFlagOnSavedPlan("--domain") }
        if planning.allowRestart { throw ApplyMessages.planningFlagOnSavedPlan("--allow-restart") }
        if planning.allowDataLoss { throw ApplyMessages.planningFlagOnSavedPlan("--allow-data-loss") }
        if planning.prune { throw ApplyMessages.planningFlagOnSavedPlan("--prune") }
    }
}

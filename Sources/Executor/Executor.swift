import FoundationEssentials
import HostModel
import Logging
import Planner
import XenplanBasics

/// Carries out a plan: runs its DAG with bounded parallelism (hosts proceed in
/// parallel, every `dependsOn` is respected), performs each action's operations in order
/// on its host's driver, waits for balloons, journals every step, and on a failure lets
/// independent actions finish while skipping those that depend on it.
///
/// Locking and the stale-plan check happen before (`HostLocks`, `Plan.staleObjects`);
/// the executor assumes the hosts are locked and the plan is current.
public struct Executor: Sendable {
    public var plan: Plan
    /// By host name; an action's operations run on `drivers[action.host]`.
    public var drivers: [String: any HostDriver]
    public var options: ExecutorOptions
    public var observer: any ExecutionObserver
    public var journal: Journal?
    public var clock: any ExecutionClock
    public var stop: StopRequest
    /// Names this run in the journal and in lock records.
    public var runID: String
    /// The digest the journal records for this run: the saved plan's, when a saved plan
    /// is carried out (its fresh equal), so that it is applied at most once.
    public var recordedDigest: String?
    /// Shared by the one-copy checks that run at the same time (`Executor+OneCopy`).
    let oneCopyObservation = SharedObservation()

    public init(
        plan: Plan, drivers: [any HostDriver], options: ExecutorOptions = ExecutorOptions(),
        observer: any ExecutionObserver = SilentObserver(), journal: Journal? = nil,
        clock: any ExecutionClock = SystemExecutionClock(), stop: StopRequest = StopRequest(),
        runID: String = Executor.newRunID()
    ) {
        self.plan = plan
        self.drivers = Dictionary(drivers.map { ($0.hostName, $0) }, uniquingKeysWith: { first, _ in first })
        self.options = options
        self.observer = observer
        self.journal = journal
        self.clock = clock
        self.stop = stop
        self.runID = runID
    }

    /// A short random id: `20261201T100000-3f9a`.
    public static func newRunID(now: Date = Date()) -> String {
        UTCTime(now).compact + "-" + String(UInt16.random(in: 0...UInt16.max), radix: 16)
    }

    /// Runs the plan to the end (or to the stop) and says what became of every action.
    /// Throws only when the journal cannot be written: an apply that cannot record what
    /// it does must not go on.
    ///
    /// The journal is written in groups, one write and one sync each: the lines of every
    /// action that finished since the loop last looked (and of those skipped because of
    /// them), then of every action about to start. A `started` line is on disk before its
    /// action starts; a `done` or `failed` line before the observer hears of it and before
    /// anything that depends on it starts.
    public func run() async throws -> ExecutionReport {
        let start = clock.now()
        var state = Schedule(plan: plan, perHost: options.parallelism, total: options.maxInFlight)
        var opening = [entry(.runStarted, plan: recordedDigest ?? plan.digest)]
        for (id, exclusion) in options.excluded.sorted(by: { $0.key < $1.key }) {
            guard let action = state.actions[id] else { continue }
            state.outcomes[id] = .excluded(exclusion)
            opening.append(entry(.excluded, action, message: exclusion.description))
        }
        try record(opening)
        let inbox = CompletionInbox()
        // Something failed, was skipped or left out since the last pass over dependants.
        var mayStrand = true
        // Lines to write with the next sync, and what the observer hears once they are on disk.
        var lines: [JournalEntry] = []
        var reports: [() -> Void] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            while true {
                if mayStrand {
                    for (action, reason) in skipUnreachable(&state) {
                        lines.append(entry(.skipped, action, message: reason.description))
                        reports.append { observer.didSkip(action, because: reason) }
                    }
                    mayStrand = false
                }
                if state.stopReason == nil && stop.isRequested { state.stopReason = .interrupted }
                let ids = state.stopReason == nil ? state.ready() : []
                lines += ids.map { entry(.started, state.actions[$0]!) }
                // One sync: the lines of what finished, then those of what starts now (its
                // dependencies among the former), in that order in the file.
                try record(lines)
                lines = []
                for report in reports { report() }
                reports = []
                for id in ids {
                    let action = state.actions[id]!
                    observer.willStart(action)
                    state.start(id)
                    group.addTask {
                        let began = clock.now()
                        let failure = await perform(action)
                        inbox.post(.init(id: id, elapsed: clock.now() - began, failure: failure))
                    }
                }
                guard !state.running.isEmpty else { break }
                for completion in await inbox.takeAll() {
                    let id = completion.id
                    state.finish(id)
                    let action = state.actions[id]!
                    let elapsed = completion.elapsed
                    if let failure = completion.failure {
                        state.outcomes[id] = .failed(failure, elapsed: elapsed)
                        lines.append(entry(.failed, action, message: failure.description))
                        reports.append { observer.didFail(action, failure: failure, elapsed: elapsed) }
                        mayStrand = true
                        if failure.stopsApply && state.stopReason == nil {
                            state.stopReason = .stopped("\(action.domain ?? "#\(id)") on \(action.host) did not give memory back in time")
                        }
                    } else {
                        state.outcomes[id] = .done(elapsed: elapsed)
                        lines.append(entry(.done, action))
                        reports.append { observer.didFinish(action, elapsed: elapsed) }
                    }
                }
            }
            try await group.waitForAll()
        }
        // Whatever never started: stopped, or waiting on something that did not happen.
        let reason = state.stopReason ?? .interrupted
        let neverStarted = plan.actions.filter { state.outcomes[$0.id] == nil }
        for action in neverStarted { state.outcomes[action.id] = .skipped(reason) }
        try record(neverStarted.map { entry(.skipped, $0, message: reason.description) })
        for action in neverStarted { observer.didSkip(action, because: reason) }
        let report = ExecutionReport(
            plan: plan, outcomes: state.outcomes, interrupted: state.stopReason == .interrupted,
            elapsed: clock.now() - start)
        let failed = report.failed.count, skipped = report.skipped.count
        try record([
            entry(.runEnded, message: "\(report.done.count) done, \(failed) failed, \(skipped) skipped, \(report.excluded.count) left out")
        ])
        return report
    }

    /// Marks skipped every pending action that depends on one that failed, was skipped or
    /// was left out, and returns them with why. Dependencies have smaller ids, so one pass
    /// in id order cascades.
    private func skipUnreachable(_ state: inout Schedule) -> [(PlannedAction, SkipReason)] {
        var skipped: [(PlannedAction, SkipReason)] = []
        for action in plan.actions where state.outcomes[action.id] == nil && !state.running.contains(action.id) {
            for dep in action.dependsOn.sorted() {
                let outcome: String
                switch state.outcomes[dep] {
                case .done?: continue
                case nil where state.actions[dep] != nil: continue
                case nil: outcome = "is not in the plan"
                case .failed?: outcome = "failed"
                case .skipped?: outcome = "was skipped"
                case .excluded?: outcome = "was left out"
                }
                let cause = state.actions[dep]
                let reason = SkipReason.dependency(id: dep, kind: cause?.kind ?? action.kind, domain: cause?.domain, outcome: outcome)
                state.outcomes[action.id] = .skipped(reason)
                skipped.append((action, reason))
                break
            }
        }
        return skipped
    }

    /// `--verbose`: each host operation as it starts and ends, with its time.
    static let log = Logger(label: "xenplan.apply")

    /// Performs one action's operations in order, each on its host (a cold move's run on
    /// both); nil when it succeeded.
    func perform(_ action: PlannedAction) async -> ActionFailure? {
        let steps = action.steps
        for host in [action.host] + steps.map(\.host) where drivers[host] == nil {
            return ActionFailure(
                operation: action.operations.first?.kind ?? action.kind.rawValue,
                message: "host \(host) is not connected in this apply")
        }
        for (index, (host, operation)) in steps.enumerated() {
            if let refusal = await checkOneCopy(operation, on: host, in: action) { return refusal }
            observer.willPerform(operation, step: index, on: host, of: action)
            // A step on the other host of a cold move says where it failed.
            let place = host == action.host ? "" : "on \(host): "
            let started = ContinuousClock.now
            let what = "#\(action.id) \(operation.kind)\(operation.domainName.map { " \($0)" } ?? "") on \(host)"
            Self.log.debug("\(what): started")
            do {
                try await drivers[host]?.perform(operation)
                Self.log.debug("\(what): done in \((ContinuousClock.now - started).shownElapsed)")
            } catch let error as HostError {
                Self.log.debug("\(what): failed after \((ContinuousClock.now - started).shownElapsed)")
                return ActionFailure(operation: operation.kind, message: place + error.message)
            } catch {
                Self.log.debug("\(what): failed after \((ContinuousClock.now - started).shownElapsed)")
                return ActionFailure(operation: operation.kind, message: place + "\(error)")
            }
        }
        if action.waitsForBalloon, let driver = drivers[action.host] {
            return await waitForBalloon(action, on: driver)
        }
        return nil
    }

    private func entry(
        _ event: JournalEntry.Event, _ action: PlannedAction? = nil, message: String? = nil, plan digest: String? = nil
    ) -> JournalEntry {
        JournalEntry(
            time: Journal.timestamp(), run: runID, event: event, action: action?.id,
            kind: action?.kind.rawValue, host: action?.host, target: action?.targetHost, domain: action?.domain,
            message: message, plan: digest)
    }

    /// Appends `entries` with one sync (nothing when there are none).
    private func record(_ entries: [JournalEntry]) throws {
        guard let journal, !entries.isEmpty else { return }
        try journal.append(entries)
    }
}

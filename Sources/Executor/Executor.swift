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
    public func run() async throws -> ExecutionReport {
        let start = clock.now()
        var state = Schedule(plan: plan)
        try record(.runStarted, plan: recordedDigest ?? plan.digest)
        for (id, exclusion) in options.excluded.sorted(by: { $0.key < $1.key }) {
            guard let action = state.actions[id] else { continue }
            state.outcomes[id] = .excluded(exclusion)
            try record(.excluded, action, message: exclusion.description)
        }
        try await withThrowingTaskGroup(of: (Int, Duration, ActionFailure?).self) { group in
            while true {
                try skipUnreachable(&state)
                if state.stopReason == nil && stop.isRequested { state.stopReason = .interrupted }
                if state.stopReason == nil {
                    for id in state.ready(limit: options.parallelism - state.running.count) {
                        let action = state.actions[id]!
                        try record(.started, action)
                        observer.willStart(action)
                        state.running.insert(id)
                        group.addTask {
                            let began = clock.now()
                            let failure = await perform(action)
                            return (id, clock.now() - began, failure)
                        }
                    }
                }
                guard let (id, elapsed, failure) = try await group.next() else { break }
                state.running.remove(id)
                let action = state.actions[id]!
                if let failure {
                    state.outcomes[id] = .failed(failure, elapsed: elapsed)
                    try record(.failed, action, message: failure.description)
                    observer.didFail(action, failure: failure, elapsed: elapsed)
                    if failure.stopsApply && state.stopReason == nil {
                        state.stopReason = .stopped("\(action.domain ?? "#\(id)") on \(action.host) did not give memory back in time")
                    }
                } else {
                    state.outcomes[id] = .done(elapsed: elapsed)
                    try record(.done, action)
                    observer.didFinish(action, elapsed: elapsed)
                }
            }
        }
        // Whatever never started: stopped, or waiting on something that did not happen.
        let reason = state.stopReason ?? .interrupted
        for action in plan.actions where state.outcomes[action.id] == nil {
            state.outcomes[action.id] = .skipped(reason)
            try record(.skipped, action, message: reason.description)
            observer.didSkip(action, because: reason)
        }
        let report = ExecutionReport(
            plan: plan, outcomes: state.outcomes, interrupted: state.stopReason == .interrupted,
            elapsed: clock.now() - start)
        let failed = report.failed.count, skipped = report.skipped.count
        try record(.runEnded, message: "\(report.done.count) done, \(failed) failed, \(skipped) skipped, \(report.excluded.count) left out")
        return report
    }

    /// Marks skipped every pending action that depends on one that failed, was skipped or
    /// was left out. Dependencies have smaller ids, so one pass in id order cascades.
    private func skipUnreachable(_ state: inout Schedule) throws {
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
                try record(.skipped, action, message: reason.description)
                observer.didSkip(action, because: reason)
                break
            }
        }
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

    private func record(
        _ event: JournalEntry.Event, _ action: PlannedAction? = nil, message: String? = nil,
        plan digest: String? = nil
    ) throws {
        guard let journal else { return }
        try journal.append(
            JournalEntry(
                time: Journal.timestamp(), run: runID, event: event, action: action?.id,
                kind: action?.kind.rawValue, host: action?.host, target: action?.targetHost, domain: action?.domain,
                message: message, plan: digest))
    }
}

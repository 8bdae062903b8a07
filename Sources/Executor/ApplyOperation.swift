import FoundationEssentials
import HostModel
import Manifest
import Planner
import XenplanBasics

/// What an apply is asked to do. Everything the command line decides, as values, so that
/// tests drive a whole apply in-process.
public struct ApplyRequest: Sendable {
    /// The lab as loaded from its manifests.
    public var lab: Lab
    /// A driver for every host of the lab (observation is never narrowed), each able to
    /// take its host's apply lock.
    public var drivers: [any HostDriver & HostLocking]
    /// Hosts the user allows to be unreachable (`--skip-unreachable`).
    public var skipUnreachable: Set<String>
    /// A plan saved with `plan --out`, re-verified before anything runs.
    public var savedPlan: Plan?
    /// Planning flags; for a saved plan, the `--allow-*` flags given to this apply,
    /// which must be those the plan was made with.
    public var planOptions: PlanOptions
    public var maxDisruption: Disruption
    /// `--allow-destroy`: destroy actions may run without an interactive confirmation.
    public var allowDestroy: Bool
    /// False with `--auto-approve`: no question is asked, and destroys run only with
    /// `allowDestroy`.
    public var interactive: Bool
    public var parallelism: Int
    public var balloonTimeout: Duration
    /// Where the journal is (nil: no journal, for tests).
    public var journalPath: String?
    /// How long to wait for a lock another apply holds.
    public var lockTimeout: Duration
    public var runID: String
    /// The plan carried out: the lab's convergence, or a backup or restore plan.
    public var purpose: ApplyPurpose

    public init(
        lab: Lab, drivers: [any HostDriver & HostLocking], skipUnreachable: Set<String> = [], savedPlan: Plan? = nil,
        planOptions: PlanOptions = PlanOptions(), maxDisruption: Disruption = .dataLoss, allowDestroy: Bool = false,
        interactive: Bool = false, parallelism: Int = 4, balloonTimeout: Duration = .seconds(120),
        journalPath: String? = nil, lockTimeout: Duration = .zero, runID: String = Executor.newRunID(),
        purpose: ApplyPurpose = .converge
    ) {
        self.lab = lab
        self.drivers = drivers
        self.skipUnreachable = skipUnreachable
        self.savedPlan = savedPlan
        self.planOptions = planOptions
        self.maxDisruption = maxDisruption
        self.allowDestroy = allowDestroy
        self.interactive = interactive
        self.parallelism = parallelism
        self.balloonTimeout = balloonTimeout
        self.journalPath = journalPath
        self.lockTimeout = lockTimeout
        self.runID = runID
        self.purpose = purpose
    }
}

/// The plan an apply is about to carry out, as it is shown and confirmed.
public struct ApplyReview: Sendable {
    public var plan: Plan
    /// Actions that will not run, with why (`--max-disruption`, the destroy gate).
    public var exclusions: [Int: Exclusion]
    public var observation: LabObservation
    /// Destroys that run only if the interactive confirmation says yes.
    public var destroysToConfirm: [PlannedAction]
    public var toRun: Int { plan.actions.count - exclusions.count }
}

/// How an apply ended, when it did not fail before executing.
public enum ApplyOutcome: Sendable {
    case nothingToDo(ApplyReview)
    case cancelled(ApplyReview)
    case executed(ApplyReview, ExecutionReport)
}

/// Why an apply stopped before changing anything (or, for `journal`, could not go on).
public enum ApplyFailure: Error, Sendable, CustomStringConvertible {
    case alreadyApplied(JournalEntry)
    case manifestsChanged
    case flagsDiffer(String)
    case locked(HostLockHeld)
    case lockUnreachable(host: String, message: String)
    case observation(LabObservation.Failure)
    case refused(PlanRefusal)
    case stale([String])
    case differs(String)
    case journal(String)
    case interrupted

    public var description: String {
        switch self {
        case let .alreadyApplied(run):
            return "the plan was already applied (run \(run.run) at \(run.time)); a saved plan is applied at most once"
        case .manifestsChanged:
            return "the plan was made from other manifests than those there now; nothing was changed"
        case let .flagsDiffer(why): return why
        case let .locked(held): return "\(held)"
        case let .lockUnreachable(host, message):
            return "host \(host): cannot take the apply lock: \(message)"
        case let .observation(failure): return failure.description
        case let .refused(refusal): return refusal.message
        case let .stale(changes): return changes.map { "stale plan: \($0)" }.joined(separator: "\nerror: ") + "\nNothing was changed."
        case let .differs(difference):
            return "stale plan: \(difference); nothing was changed (only a plan made now is ever carried out, and only when it is the saved one)"
        case let .journal(message): return "\(message); nothing was changed"
        case .interrupted: return "interrupted; nothing was changed"
        }
    }
}

/// Hears what an apply does before it executes, and answers its one question.
public protocol ApplyDelegate: Sendable {
    /// Something the user should know (a lock taken over, an unfinished earlier run).
    func warn(_ message: String)
    /// The plan that will be carried out, once made and gated.
    func review(_ review: ApplyReview)
    /// Asked only when interactive and there is something to run: go ahead?
    func confirm(_ review: ApplyReview) async -> Bool
}

/// One apply, start to end: take the locks → report unfinished runs → observe every host
/// → plan, or re-verify a saved plan → exclusions and gates → confirm → execute →
/// release the locks. The CLI only parses, confirms and renders; tests drive the same
/// sequence with simulated hosts and a manual clock.
public final class ApplyOperation: @unchecked Sendable {
    public let request: ApplyRequest
    public let delegate: any ApplyDelegate
    public let observer: any ExecutionObserver
    public let clock: any ExecutionClock
    public let stop: StopRequest
    private let lock = Lock()
    private var locks: HostLocks?
    private var executing = false
    private var locking = false

    public init(
        _ request: ApplyRequest, delegate: any ApplyDelegate, observer: any ExecutionObserver = SilentObserver(),
        clock: any ExecutionClock = SystemExecutionClock(), stop: StopRequest = StopRequest()
    ) {
        self.request = request
        self.delegate = delegate
        self.observer = observer
        self.clock = clock
        self.stop = stop
    }

    /// Whether actions have started to run (an interrupt now stops starting new ones
    /// rather than ending at once).
    public var isExecuting: Bool { lock.withLock { executing } }

    /// Whether the locks are being taken: an interrupt now must let the operation give
    /// back what it took (a stop request), not end the process with locks half taken.
    public var isTakingLocks: Bool { lock.withLock { locking } }

    /// Releases every lock taken, now, blocking the calling thread until done: the way
    /// out of an abandoned apply, from a signal handler's queue (never from async code,
    /// where blocking a thread of the cooperative pool can starve the release itself).
    public func releaseLocksNow() {
        takeHeldLocks()?.releaseAllBlocking()
    }

    private func takeHeldLocks() -> HostLocks? {
        lock.withLock { () -> HostLocks? in
            defer { locks = nil }
            return locks
        }
    }

    private func releaseLocks() async {
        guard let held = takeHeldLocks() else { return }
        for problem in await held.releaseAll() { delegate.warn(problem) }
    }

    public func run() async throws(ApplyFailure) -> ApplyOutcome {
        try checkSavedPlanBeforeLocking()
        var drivers = request.drivers
        lock.withLock { locking = true }
        let taken: HostLocks
        do throws(ApplyFailure) {
            taken = try await takeLocks(&drivers)
        } catch {
            lock.withLock { locking = false }
            throw error
        }
        lock.withLock {
            locks = taken
            locking = false
        }
        do throws(ApplyFailure) {
            let outcome = try await runLocked(drivers)
            await releaseLocks()
            return outcome
        } catch {
            await releaseLocks()
            throw error
        }
    }

    /// Everything between taking the locks and giving them back.
    private func runLocked(_ drivers: [any HostDriver]) async throws(ApplyFailure) -> ApplyOutcome {
        if stop.isRequested { throw .interrupted }
        let unfinished = reportUnfinishedRuns()

        let observation: LabObservation
        do {
            observation = try await LabObservation.observe(drivers, skipping: request.skipUnreachable, clock: clock)
        } catch {
            throw .observation(error)
        }
        var unobserved = observation.unobserved
        for host in request.drivers.map(\.hostName) where !drivers.contains(where: { $0.hostName == host }) {
            unobserved[host] = unobserved[host] ?? "could not be locked"
        }
        var observed = observation
        observed.unobserved = unobserved
        let plan = try makePlan(observed)
        if stop.isRequested { throw .interrupted }

        var exclusions = Executor.exclusions(in: plan, maxDisruption: request.maxDisruption)
        let unconfirmedDestroys = plan.actions.filter { $0.discardsGuest && exclusions[$0.id] == nil }
        var destroysToConfirm: [PlannedAction] = []
        if !request.allowDestroy && !unconfirmedDestroys.isEmpty {
            if request.interactive {
                destroysToConfirm = unconfirmedDestroys
            } else {
                exclusions = Executor.exclusions(in: plan, maxDisruption: request.maxDisruption, refusingDestroy: true)
            }
        }
        let review = ApplyReview(plan: plan, exclusions: exclusions, observation: observed, destroysToConfirm: destroysToConfirm)
        delegate.review(review)
        guard review.toRun > 0 else { return .nothingToDo(review) }
        if request.interactive {
            guard await delegate.confirm(review) else { return .cancelled(review) }
        }
        if stop.isRequested { throw .interrupted }

        var journal: Journal?
        if let path = request.journalPath {
            do {
                journal = try Journal(path: path)
                try journal?.recordReported(unfinished, by: request.runID)
            } catch {
                throw .journal("\(error)")
            }
        }
        lock.withLock { executing = true }
        let options = ExecutorOptions(parallelism: request.parallelism, balloonTimeout: request.balloonTimeout, excluded: exclusions)
        var executor = Executor(
            plan: plan, drivers: drivers, options: options, observer: observer, journal: journal,
            clock: clock, stop: stop, runID: request.runID)
        executor.recordedDigest = request.savedPlan?.digest
        do {
            return .executed(review, try await executor.run())
        } catch {
            throw .journal("\(error)")
        }
    }

    // MARK: Steps

    /// What can be refused before touching any host: a plan already applied, manifests
    /// changed since, flags that differ from those it was made with.
    private func checkSavedPlanBeforeLocking() throws(ApplyFailure) {
        guard let saved = request.savedPlan else { return }
        if let path = request.journalPath, let run = Journal.runThatApplied(planDigest: saved.digest, at: path) {
            throw .alreadyApplied(run)
        }
        guard saved.manifestHash == request.lab.contentHash else { throw .manifestsChanged }
        let made = saved.madeWith ?? PlanFlags()
        let given = request.planOptions
        var missing: [String] = []
        var extra: [String] = []
        for (flag, was, now) in [
            ("--allow-restart", made.allowRestart, given.allowRestart),
            ("--allow-data-loss", made.allowDataLoss, given.allowDataLoss),
            ("--prune", made.prune, given.prune),
        ] where was != now {
            if was { missing.append(flag) } else { extra.append(flag) }
        }
        let skippedNow = Set(request.skipUnreachable)
        for host in made.skippedHosts where !skippedNow.contains(host) { missing.append("--skip-unreachable \(host)") }
        guard missing.isEmpty && extra.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty {
                parts.append(
                    "it was made with \(missing.joined(separator: " ")): give \(missing.count == 1 ? "it" : "them") to apply too, to allow what it does"
                )
            }
            if !extra.isEmpty {
                parts.append("it was made without \(extra.joined(separator: " ")): make a new plan with \(extra.count == 1 ? "it" : "them")")
            }
            throw .flagsDiffer(
                "the saved plan and this apply disagree on what is allowed: " + parts.joined(separator: "; ") + "; nothing was changed")
        }
    }

    /// Locks every host; a host the user allows to be unreachable that cannot be reached
    /// is left out (and later reported as unobserved).
    private func takeLocks(_ drivers: inout [any HostDriver & HostLocking]) async throws(ApplyFailure) -> HostLocks {
        let owner = HostLocks.currentOwner(command: request.purpose.command, runID: request.runID)
        while true {
            do {
                let (locks, takeOvers) = try await HostLocks.acquire(
                    drivers, owner: owner, waitUpTo: request.lockTimeout, clock: clock,
                    onWait: { [delegate] held in delegate.warn("waiting for the apply lock: \(held)") })
                for t in takeOvers {
                    let p = t.previous
                    delegate.warn(
                        "host \(t.host) was locked by \(p.user)@\(p.machine) pid \(p.pid) since \(p.time) (\(p.command)), "
                            + "which no longer runs (\(t.reason)); the lock is taken over. Run `xenplan plan` afterwards if that apply was cut short."
                    )
                }
                return locks
            } catch {
                switch error {
                case let .held(held): throw .locked(held)
                case let .unreachable(host, message):
                    guard request.skipUnreachable.contains(host) else { throw .lockUnreachable(host: host, message: message) }
                    delegate.warn("host \(host) is skipped (--skip-unreachable): \(message)")
                    drivers.removeAll { $0.hostName == host }
                }
            }
        }
    }

    /// Warns of every earlier run that never ended; returns them, to be recorded as
    /// reported once this run writes to the journal.
    private func reportUnfinishedRuns() -> [UnfinishedRun] {
        guard let path = request.journalPath else { return [] }
        let runs = Journal.unfinishedRuns(at: path)
        for unfinished in runs {
            let run = unfinished.run
            let cut = unfinished.started.map { "#\($0.action ?? 0) \($0.kind ?? "") \($0.domain ?? "") on \($0.host ?? "")" }
            delegate.warn(
                "an earlier apply (run \(run.run), \(run.time)) did not finish"
                    + (cut.isEmpty ? "" : "; it had started: " + cut.joined(separator: ", "))
                    + ". The plan is made from the hosts as they are now.")
        }
        return runs
    }

    /// A plan made now; for a saved plan, it must equal the saved one action for action,
    /// and it is the one carried out.
    private func makePlan(_ observation: LabObservation) throws(ApplyFailure) -> Plan {
        var options = request.planOptions
        options.unobservedHosts = observation.unobserved
        if !observation.unobserved.isEmpty, let path = request.journalPath {
            options.lastStartedHosts = Journal.lastStartedHosts(at: path)
        }
        if let saved = request.savedPlan {
            let made = saved.madeWith ?? PlanFlags()
            options.hosts = made.hosts.map(Set.init)
            options.domains = made.domains.map(Set.init)
            let changes = saved.staleObjects(comparedWith: observation.states)
            if !changes.isEmpty { throw .stale(changes) }
        }
        let fresh: Plan
        do {
            fresh = try request.purpose.plan(lab: request.lab, observed: observation.states, options: options)
        } catch {
            throw .refused(error)
        }
        if let saved = request.savedPlan, let difference = saved.firstDifference(from: fresh) {
            throw .differs(difference)
        }
        return fresh
    }
}

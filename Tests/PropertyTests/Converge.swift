import Executor
import Foundation
import HostModel
import Manifest
import Planner
import SimDriver
import XenplanBasics
import XenplanTestSupport

/// What one apply did: the plan it made (or the planner's refusal), the executor's
/// report, and the actions its gates left out.
struct ApplyResult {
    var plan: Plan?
    var refusal: PlanRefusal?
    var report: ExecutionReport?
    var excluded: [Int: Exclusion] = [:]
    /// Anything else that stopped the apply (a host that could not be read, a lock).
    var error: String?

    var succeeded: Bool { refusal == nil && error == nil && (report?.succeeded ?? true) }
}

/// The time of the simulated hosts, driven by the executor: a balloon wait sleeps on it,
/// which lets the guests' balloons give their memory back meanwhile.
struct SharedClock: ExecutionClock {
    let sim: ManualClock
    let origin: Date

    init(_ sim: ManualClock) {
        self.sim = sim
        origin = sim.now()
    }

    func now() -> Duration { .milliseconds(Int64((sim.now().timeIntervalSince(origin) * 1000).rounded())) }

    func sleep(for duration: Duration) async throws {
        let (seconds, attoseconds) = duration.components
        sim.advance(by: Double(seconds) + Double(attoseconds) / 1e18)
    }
}

/// Requests the stop (Ctrl-C) once the n-th action has started.
struct StopAfterStarting: ExecutionObserver {
    let count: Int
    let stop: StopRequest
    let started = Counter()

    func willStart(_ action: PlannedAction) {
        if started.increment() == count { stop.request() }
    }
    func didFinish(_ action: PlannedAction, elapsed: Duration) {}
    func didFail(_ action: PlannedAction, failure: ActionFailure, elapsed: Duration) {}
    func didSkip(_ action: PlannedAction, because reason: SkipReason) {}

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int {
            lock.withLock {
                value += 1; return value
            }
        }
    }
}

/// Lets one apply run at a time in this process, whatever the number of cases run at once:
/// an apply releases its locks by blocking a thread of the shared pool until an
/// asynchronous release has run, so two applies ending together on a two-core machine
/// would each hold one of the pool's two threads and wait for ever.
final class OneApplyAtATime: @unchecked Sendable {
    static let shared = OneApplyAtATime()
    private let lock = NSLock()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted: Bool = lock.withLock {
                if busy {
                    waiting.append(continuation)
                    return false
                }
                busy = true
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    func leave() {
        let next: CheckedContinuation<Void, Never>? = lock.withLock {
            if waiting.isEmpty {
                busy = false
                return nil
            }
            return waiting.removeFirst()
        }
        next?.resume()
    }
}

extension PropertyWorld {
    /// `xenplan apply DIR --auto-approve` with `gates`, in process, as the command runs it:
    /// locks, every host observed, plan, gates, execute, locks released. The one place the
    /// property tests touch the apply sequence.
    /// `purpose` makes it `xenplan backup` or `xenplan restore … --auto-approve` instead.
    func converge(_ lab: Lab, gates: ApplyGates, stopAfter: Int? = nil, purpose: ApplyPurpose = .converge) async -> ApplyResult {
        var result = ApplyResult()
        let stop = StopRequest()
        let observer: any ExecutionObserver = stopAfter.map { StopAfterStarting(count: $0, stop: stop) } ?? SilentObserver()
        let request = ApplyRequest(
            lab: lab, drivers: drivers, planOptions: Self.planOptions(gates),
            allowDestroy: gates.allowDestroy, interactive: false, parallelism: 4,
            journalPath: state.appendingPathComponent("journal.jsonl").path, purpose: purpose)
        let operation = ApplyOperation(
            request, delegate: RecordingApplyDelegate(), observer: observer,
            clock: SharedClock(simClock), stop: stop)
        await OneApplyAtATime.shared.enter()
        defer { OneApplyAtATime.shared.leave() }
        do {
            switch try await operation.run() {
            case let .nothingToDo(review):
                result.plan = review.plan
                result.excluded = review.exclusions
            case let .cancelled(review):
                result.plan = review.plan
                result.error = "cancelled without being asked"
            case let .executed(review, report):
                result.plan = review.plan
                result.excluded = review.exclusions
                result.report = report
            }
        } catch {
            if case let .refused(refusal) = error { result.refusal = refusal } else { result.error = error.description }
        }
        return result
    }

    /// The plan `xenplan plan DIR` with the same gates would show now.
    func plan(_ lab: Lab, gates: ApplyGates) throws -> Result<Plan, PlanRefusal> {
        let observed = try snapshot()
        do {
            return .success(try Planner.plan(lab: lab, observed: observed, options: Self.planOptions(gates)))
        } catch {
            return .failure(error)
        }
    }

    static func planOptions(_ gates: ApplyGates) -> PlanOptions {
        PlanOptions(allowRestart: gates.allowRestart, allowDataLoss: gates.allowDataLoss)
    }

    /// What an apply with `gates` leaves out of `plan`: without `allowDestroy`, every
    /// destroy and what depends on it.
    static func exclusions(in plan: Plan, gates: ApplyGates) -> [Int: Exclusion] {
        Executor.exclusions(in: plan, maxDisruption: .dataLoss, refusingDestroy: !gates.allowDestroy)
    }
}

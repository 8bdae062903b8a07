import Executor
import Foundation
import HostModel
import Planner
import XenplanBasics
import XenplanTestSupport

/// A host driver that records what it is asked, can fail chosen operations, hold
/// operations until the test releases them, and balloon on a manual clock.
final class FakeHost: HostDriver, @unchecked Sendable {
    let hostName: String
    private let lock = NSLock()
    private var log: [String] = []
    private var failing: [String: String] = [:]
    private var active = 0
    private var peak = 0
    private var gated = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Balloon model: domain → (target, actual at start, MiB per second, clock start).
    private var balloons: [String: (target: ByteSize, from: ByteSize, ratePerSecond: Int64, since: Duration)] = [:]
    let clock: ManualExecutionClock?
    /// Shared between hosts of one test, to see concurrency over all hosts.
    let counter: ConcurrencyCounter?

    init(_ name: String, clock: ManualExecutionClock? = nil, counter: ConcurrencyCounter? = nil) {
        hostName = name
        self.clock = clock
        self.counter = counter
    }

    /// Operations performed, as `KIND DOMAIN` (or `KIND` for bridges and volumes), in order.
    var operations: [String] { lock.withLock { log } }
    var peakConcurrency: Int { lock.withLock { peak } }
    var running: Int { lock.withLock { active } }

    /// Guests the host shows besides those the test balloons: started by someone else.
    private var residentDomains: [DomainState] = []
    var residents: [DomainState] {
        get { lock.withLock { residentDomains } }
        set { lock.withLock { residentDomains = newValue } }
    }

    /// The next operation of `kind` on `domain` fails with `message`.
    func fail(_ kind: String, domain: String, message: String) { lock.withLock { failing["\(kind) \(domain)"] = message } }

    /// Holds every operation until `release()`.
    func hold() { lock.withLock { gated = true } }
    func release() {
        let toResume: [CheckedContinuation<Void, Never>] = lock.withLock {
            gated = false
            defer { waiters.removeAll() }
            return waiters
        }
        for w in toResume { w.resume() }
    }

    /// After `mem-set` of `domain`, its actual memory falls by `rate` MiB per second of
    /// the manual clock (0: never).
    func balloon(_ domain: String, from: ByteSize, ratePerSecond: Int64) {
        lock.withLock { balloons[domain] = (from, from, ratePerSecond, .zero) }
    }

    func observe() async throws -> HostState {
        let now = clock?.now() ?? .zero
        let domains: [DomainState] = lock.withLock {
            balloons.map { name, b in
                let seconds = (now - b.since).components.seconds
                let actual = max(b.target, b.from - .mib(b.ratePerSecond * seconds))
                return Fixture.domainState(name, memory: b.target.mib, maxmem: b.from.mib, actual: actual.mib)
            } + residentDomains
        }
        return Fixture.hostState(hostName, domains: domains)
    }

    func perform(_ operation: HostOperation) async throws {
        let name = operation.kind + (Self.domain(of: operation).map { " " + $0 } ?? "")
        let (failure, mustWait): (String?, Bool) = lock.withLock {
            log.append(name)
            active += 1
            peak = max(peak, active)
            return (failing.removeValue(forKey: name), gated)
        }
        counter?.enter()
        if mustWait {
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = lock.withLock {
                    if gated { waiters.append(continuation); return false }
                    return true
                }
                if resumeNow { continuation.resume() }
            }
        }
        for _ in 0..<3 { await Task.yield() }
        counter?.leave()
        lock.withLock { active -= 1 }
        if case let .setMemory(domain, target) = operation, let clock {
            lock.withLock {
                if let b = balloons[domain] { balloons[domain] = (target, b.from, b.ratePerSecond, clock.now()) }
            }
        }
        if let failure { throw HostError(host: hostName, operation: operation.kind, domain: Self.domain(of: operation), message: failure) }
    }

    static func domain(of operation: HostOperation) -> String? {
        switch operation {
        case let .create(d), let .setMemory(d, _), let .setVcpus(d, _), let .migrate(d, _), let .shutdown(d, _),
            let .destroy(d), let .removeConfig(d):
            return d
        case let .writeConfig(c):
            return c.name
        default:
            return nil
        }
    }
}

/// Counts operations in flight over several fake hosts.
final class ConcurrencyCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var active = 0
    private(set) var peak = 0
    func enter() {
        lock.withLock {
            active += 1; peak = max(peak, active)
        }
    }
    func leave() { lock.withLock { active -= 1 } }
    var current: Int { lock.withLock { active } }
    var maximum: Int { lock.withLock { peak } }
}

/// Records observer events as text, in order.
final class EventLog: ExecutionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var events: [String] { lock.withLock { lines } }
    private func add(_ s: String) { lock.withLock { lines.append(s) } }
    func willStart(_ action: PlannedAction) { add("start \(action.id)") }
    func didFinish(_ action: PlannedAction, elapsed: Duration) { add("done \(action.id)") }
    func didFail(_ action: PlannedAction, failure: ActionFailure, elapsed: Duration) { add("failed \(action.id): \(failure)") }
    func didSkip(_ action: PlannedAction, because reason: SkipReason) { add("skipped \(action.id): \(reason)") }
    func willWaitForBalloon(_ action: PlannedAction, domain: String, target: ByteSize) { add("balloon \(action.id) \(domain) \(target)") }
    func balloonHolds(_ action: PlannedAction, domain: String, holds: ByteSize, target: ByteSize) {
        add("holds \(action.id) \(domain) \(holds.mib) MiB")
    }
}

/// Builds plans by hand: one action per call, ids in order.
struct PlanBuilder {
    var actions: [PlannedAction] = []

    @discardableResult
    mutating func add(
        _ kind: ActionKind, on host: String, domain: String, _ operations: [HostOperation],
        after deps: [Int] = [], disruption: Disruption = .none, balloon: Bool = false
    ) -> Int {
        let id = actions.count
        actions.append(
            PlannedAction(
                id: id, kind: kind, host: host, domain: domain, summary: "\(kind.rawValue) \(domain)",
                reason: "test", disruption: disruption, operations: operations, dependsOn: deps,
                waitsForBalloon: balloon))
        return id
    }

    var plan: Plan { Plan(lab: "test", manifestHash: "h", actions: actions) }
}

import FoundationEssentials
import XenplanBasics

/// The executor's time: elapsed times and balloon polling. Injected so that tests run
/// timeouts of minutes in no time at all.
public protocol ExecutionClock: Sendable {
    /// Time since an arbitrary origin; only differences mean anything.
    func now() -> Duration
    func sleep(for duration: Duration) async throws
}

/// The real, monotonic clock.
public struct SystemExecutionClock: ExecutionClock {
    private let origin = ContinuousClock.now
    public init() {}
    public func now() -> Duration { ContinuousClock.now - origin }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// A clock that only moves when something sleeps on it (or `advance` is called):
/// sleeping returns at once, having moved time forward by the duration.
public final class ManualExecutionClock: ExecutionClock, @unchecked Sendable {
    private let lock = Lock()
    private var current: Duration = .zero
    /// Every sleep, in order, for assertions.
    private var sleepLog: [Duration] = []

    public init() {}

    public func now() -> Duration { lock.withLock { current } }

    public func sleep(for duration: Duration) async throws {
        lock.withLock {
            current += duration
            sleepLog.append(duration)
        }
    }

    public func advance(by duration: Duration) { lock.withLock { current += duration } }

    public var sleeps: [Duration] { lock.withLock { sleepLog } }
}

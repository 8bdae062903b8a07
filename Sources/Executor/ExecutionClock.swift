import Foundation

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
    private let lock = NSLock()
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

/// Asks a running apply to stop starting new actions (Ctrl-C). Safe from any thread.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private var handlers: [@Sendable () -> Void] = []

    public init() {}

    public var isRequested: Bool { lock.withLock { requested } }

    /// Requests the stop; returns false if it had already been requested.
    @discardableResult
    public func request() -> Bool {
        let (first, toCall): (Bool, [@Sendable () -> Void]) = lock.withLock {
            if requested { return (false, []) }
            requested = true
            return (true, handlers)
        }
        for handler in toCall { handler() }
        return first
    }

    /// Called once when the stop is requested (at once if it already was).
    public func onRequest(_ handler: @escaping @Sendable () -> Void) {
        let already: Bool = lock.withLock {
            if requested { return true }
            handlers.append(handler)
            return false
        }
        if already { handler() }
    }
}

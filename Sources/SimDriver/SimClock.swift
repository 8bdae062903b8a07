import FoundationEssentials
import Synchronization

/// Where the simulated host reads the time. Ballooning progress is a function of the
/// time elapsed since a `mem-set`, so tests inject a clock they move by hand.
public protocol SimClock: Sendable {
    func now() -> Date
    /// Waits out an operation's latency (already scaled by the driver's speed);
    /// cancellable. Tests hold it to see operations overlap without waiting.
    func sleep(seconds: Double) async throws
}

extension SimClock {
    public func sleep(seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400) * 1_000_000_000))
    }
}

/// The wall clock.
public struct SystemClock: SimClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to: deterministic ballooning in tests.
public final class ManualClock: SimClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A lock with a condition variable: `wait` (only with the lock held) releases it until
/// `signal` or `broadcast`, then holds it again. What `NSCondition` offers, without
/// Foundation.
public final class Condition: @unchecked Sendable {
    private let lock = Lock()
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() { pthread_cond_init(condition, nil) }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock(body)
    }

    /// Waits for a signal; callers loop on their own predicate, as wake-ups can be spurious.
    public func wait() { pthread_cond_wait(condition, lock.mutex) }

    public func signal() { pthread_cond_signal(condition) }
    public func broadcast() { pthread_cond_broadcast(condition) }
}

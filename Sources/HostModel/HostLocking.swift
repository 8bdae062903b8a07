/// A host-side lock that keeps two applies from changing the same host at once. It lives
/// on the host (beside a simulated host's state; under `/run/xenplan` on a dom0), so it
/// holds whichever machine the applies run from.
///
/// Deciding that a holder is stale is the caller's job (`LockRecord.staleness`): only the
/// holder's own machine, boot and PID namespace can tell whether its process still lives.
/// The host only swaps records atomically.
public protocol HostLocking: Sendable {
    /// Takes the lock for `owner`. When `stale` is given, a lock held by exactly that
    /// record is replaced in one step (so two takers of a stale lock cannot both win).
    /// Throws `HostLockHeld` naming the holder otherwise.
    func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws
    /// Releases the lock if `owner` holds it; does nothing otherwise.
    func releaseLock(of owner: LockRecord) async throws
    /// Removes the lock whoever holds it (`xenplan unlock`); returns the record removed.
    func breakLock() async throws -> LockRecord?
    /// The current holder, if any.
    func lockHolder() async throws -> LockRecord?
}

/// A lock that can also be released without suspending (those kept in a file). A thread
/// of the concurrency pool that must release at once, and so blocks, then needs no other
/// pool thread to do it: with every pool thread blocked that way, none would be left.
public protocol HostLockReleasingNow: HostLocking {
    func releaseLockNow(of owner: LockRecord) throws
}

/// The lock is held by someone else.
public struct HostLockHeld: Error, Hashable, Sendable {
    public var host: String
    public var holder: LockRecord
    /// Why the holder was not judged stale, when a judgement was made.
    public var reason: String?
    public init(host: String, holder: LockRecord, reason: String? = nil) {
        self.host = host
        self.holder = holder
        self.reason = reason
    }
}

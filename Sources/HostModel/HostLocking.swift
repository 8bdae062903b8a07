/// Who holds a host's apply lock: enough for a person to find the process, and for a
/// later apply on the same machine to tell that the process is gone.
public struct LockRecord: Hashable, Codable, Sendable {
    public var user: String
    /// The machine the holding process runs on (its host name).
    public var machine: String
    public var pid: Int32
    /// When it was taken, ISO 8601 in UTC (`2026-12-01T10:00:00Z`).
    public var time: String
    /// What holds it, e.g. `xenplan apply`.
    public var command: String
    /// Distinguishes two runs of the same process (and a reused pid).
    public var runID: String

    public init(user: String, machine: String, pid: Int32, time: String, command: String, runID: String) {
        self.user = user
        self.machine = machine
        self.pid = pid
        self.time = time
        self.command = command
        self.runID = runID
    }
}

/// The lock is held by someone else.
public struct HostLockHeld: Error, Hashable, Sendable {
    public var host: String
    public var holder: LockRecord
    public init(host: String, holder: LockRecord) {
        self.host = host
        self.holder = holder
    }
}

/// A host-side lock that keeps two applies from changing the same host at once. It lives
/// on the host (beside a simulated host's state; under `/run/xenplan` on a dom0), so it
/// holds whichever machine the applies run from.
///
/// Deciding that a holder is stale is the caller's job: only the holder's own machine can
/// tell whether its process still lives. The host only swaps records atomically.
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

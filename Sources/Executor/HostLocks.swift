import Dispatch
import FoundationEssentials
import HostModel
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The apply locks of a set of hosts, taken by this process. Hosts are locked in name
/// order and all-or-nothing: if one is held by someone else, the ones already taken are
/// released and the error names the holder (or, given time to wait, they are tried again
/// until the holder lets go or the time is up).
public final class HostLocks: @unchecked Sendable {
    /// The lock was held by a process that can no longer be running; it was taken over.
    public struct TakeOver: Hashable, Sendable {
        public var host: String
        public var previous: LockRecord
        /// Why the holder cannot be running (`LockStaleness`).
        public var reason: String
        public init(host: String, previous: LockRecord, reason: String = "") {
            self.host = host
            self.previous = previous
            self.reason = reason
        }
    }

    public enum Failure: Error, Sendable {
        /// Someone else holds it (after waiting, if a wait was asked for).
        case held(HostLockHeld)
        /// The host could not be asked.
        case unreachable(host: String, message: String)
    }

    public let owner: LockRecord
    private let lock = Lock()
    private var held: [(name: String, driver: any HostLocking)] = []

    private init(owner: LockRecord) { self.owner = owner }

    /// Who this process is, for a lock record: with its boot id, machine id, PID
    /// namespace and start time, so that another apply can tell for certain whether it
    /// still runs.
    public static func currentOwner(command: String, runID: String, now: Date = Date()) -> LockRecord {
        let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? userName()
        let me = ProcessIdentity.current()
        return LockRecord(
            user: user, machine: machineName(), pid: getpid(), time: lockTime(now), command: command,
            runID: runID, bootID: me.bootID, machineID: me.machineID, pidNamespace: me.pidNamespace,
            startTime: me.startTime)
    }

    /// The first pause between two tries of a held lock; it doubles up to `longestPause`.
    public static let firstPause: Duration = .milliseconds(250)
    public static let longestPause: Duration = .seconds(2)

    /// Locks every driver's host, or none.
    ///
    /// A holder that `LockRecord.staleness` proves gone (judged from `owner`, with
    /// `sighting` looking up pids in this PID namespace) is taken over. A live holder stops
    /// the attempt at once, unless `waitUpTo` is more than zero: then every lock taken is
    /// given back, and the whole set is tried again after a pause on `clock` (0.25 s,
    /// doubling up to 2 s) until it is taken or `waitUpTo` has passed. `onWait` hears of
    /// each holder waited for, once per holder.
    public static func acquire(
        _ drivers: [any HostDriver & HostLocking], owner: LockRecord,
        waitUpTo timeout: Duration = .zero,
        clock: any ExecutionClock = SystemExecutionClock(),
        onWait: @Sendable (HostLockHeld) -> Void = { _ in },
        sighting: @Sendable (Int32) -> ProcessSighting = ProcessIdentity.sighting
    )
        async throws(Failure) -> (locks: HostLocks, takeOvers: [TakeOver])
    {
        let start = clock.now()
        var pause = firstPause
        var reported: HostLockHeld?
        while true {
            do {
                return try await acquireOnce(drivers, owner: owner, sighting: sighting)
            } catch {
                guard case let .held(held) = error else { throw error }
                let waited = clock.now() - start
                guard waited < timeout else { throw error }
                if reported?.host != held.host || reported?.holder != held.holder {
                    onWait(held)
                    reported = held
                }
                do {
                    try await clock.sleep(for: min(pause, timeout - waited))
                } catch {
                    throw .held(held)
                }
                pause = min(pause * 2, longestPause)
            }
        }
    }

    private static func acquireOnce(
        _ drivers: [any HostDriver & HostLocking], owner: LockRecord,
        sighting: (Int32) -> ProcessSighting
    ) async throws(Failure)
        -> (locks: HostLocks, takeOvers: [TakeOver])
    {
        let locks = HostLocks(owner: owner)
        var takeOvers: [TakeOver] = []
        for locking in drivers.sorted(by: { $0.hostName < $1.hostName }) {
            let host = locking.hostName
            do {
                do {
                    try await locking.acquireLock(for: owner, replacing: nil)
                } catch let error as HostLockHeld {
                    let holder = error.holder
                    switch holder.staleness(judgedBy: owner, sighting: sighting) {
                    case let .held(reason):
                        throw HostLockHeld(host: error.host, holder: holder, reason: reason)
                    case let .stale(reason):
                        try await locking.acquireLock(for: owner, replacing: holder)
                        takeOvers.append(TakeOver(host: host, previous: holder, reason: reason))
                    }
                }
                locks.lock.withLock { locks.held.append((host, locking)) }
            } catch let error as HostLockHeld {
                await locks.releaseAll()
                throw .held(error)
            } catch {
                await locks.releaseAll()
                throw .unreachable(host: host, message: "\(error)")
            }
        }
        return (locks, takeOvers)
    }

    /// The hosts locked now.
    public var hosts: [String] { lock.withLock { held.map(\.name) } }

    /// Releases every lock still held; errors are returned, not thrown, because this runs
    /// on the way out and must release the others.
    @discardableResult
    public func releaseAll() async -> [String] {
        let toRelease = lock.withLock { () -> [(name: String, driver: any HostLocking)] in
            defer { held.removeAll() }
            return held
        }
        var problems: [String] = []
        for (name, driver) in toRelease.reversed() {
            do {
                try await driver.releaseLock(of: owner)
            } catch {
                problems.append("host \(name): could not release the apply lock: \(error)")
            }
        }
        return problems
    }

    /// Releases synchronously from a signal handler path: blocks the calling thread
    /// until the locks are gone. Locks kept in files are released on this thread; only
    /// the others (over a connection) wait for a task, which needs a free thread of the
    /// concurrency pool: from inside the pool, prefer `await releaseAll()`.
    public func releaseAllBlocking() {
        let toRelease = lock.withLock { () -> [(name: String, driver: any HostLocking)] in
            defer { held.removeAll { $0.driver is any HostLockReleasingNow } }
            return held
        }
        for (_, driver) in toRelease.reversed() {
            try? (driver as? any HostLockReleasingNow)?.releaseLockNow(of: owner)
        }
        guard !hosts.isEmpty else { return }
        let done = DispatchSemaphore(value: 0)
        Task {
            await self.releaseAll()
            done.signal()
        }
        done.wait()
    }

    static func machineName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func userName() -> String {
        guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }

    static func lockTime(_ date: Date) -> String {
        UTCTime(date).iso8601
    }
}

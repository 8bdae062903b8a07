import Foundation
import HostModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The apply locks of a set of hosts, taken by this process. Hosts are locked in name
/// order and all-or-nothing: if one is held by someone else, the ones already taken are
/// released and the error names the holder.
public final class HostLocks: @unchecked Sendable {
    /// The lock was held by a process that no longer exists; it was taken over.
    public struct TakeOver: Hashable, Sendable {
        public var host: String
        public var previous: LockRecord
        public init(host: String, previous: LockRecord) {
            self.host = host
            self.previous = previous
        }
    }

    public enum Failure: Error, Sendable {
        /// Someone else holds it.
        case held(HostLockHeld)
        /// The driver has no lock: nothing could stop a second apply on that host.
        case unsupported(host: String)
        /// The host could not be asked.
        case unreachable(host: String, message: String)
    }

    public let owner: LockRecord
    private let lock = NSLock()
    private var held: [(name: String, driver: any HostLocking)] = []

    private init(owner: LockRecord) { self.owner = owner }

    /// Who this process is, for a lock record.
    public static func currentOwner(command: String, runID: String, now: Date = Date()) -> LockRecord {
        let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? userName()
        return LockRecord(user: user, machine: machineName(), pid: getpid(), time: lockTime(now), command: command,
                          runID: runID)
    }

    /// Locks every driver's host, or none. `isAlive` decides whether a holder on this
    /// machine still runs (injected for tests); a dead holder's lock is taken over.
    public static func acquire(_ drivers: [any HostDriver], owner: LockRecord,
                               isAlive: @Sendable (LockRecord) -> Bool = HostLocks.processIsAlive) async throws(Failure)
        -> (locks: HostLocks, takeOvers: [TakeOver]) {
        let locks = HostLocks(owner: owner)
        var takeOvers: [TakeOver] = []
        for driver in drivers.sorted(by: { $0.hostName < $1.hostName }) {
            let host = driver.hostName
            guard let locking = driver as? any HostLocking else {
                await locks.releaseAll()
                throw .unsupported(host: host)
            }
            do {
                do {
                    try await locking.acquireLock(for: owner, replacing: nil)
                } catch let error as HostLockHeld {
                    let holder = error.holder
                    // Only this machine can tell whether the holder still runs. A record with our
                    // own pid but another run is a previous process whose pid we got.
                    let stale = holder.machine == owner.machine
                        && (holder.pid == owner.pid ? holder.runID != owner.runID : !isAlive(holder))
                    guard stale else { throw error }
                    try await locking.acquireLock(for: owner, replacing: holder)
                    takeOvers.append(TakeOver(host: host, previous: holder))
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
    /// until the locks are gone.
    public func releaseAllBlocking() {
        let done = DispatchSemaphore(value: 0)
        Task {
            await self.releaseAll()
            done.signal()
        }
        done.wait()
    }

    /// `kill(pid, 0)`: a process that does not exist gives ESRCH; EPERM means it exists
    /// but belongs to someone else.
    @Sendable public static func processIsAlive(_ record: LockRecord) -> Bool {
        if kill(pid_t(record.pid), 0) == 0 { return true }
        return errno != ESRCH
    }

    static func machineName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(cString: buffer)
    }

    static func userName() -> String {
        guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }

    static func lockTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

extension HostLockHeld: CustomStringConvertible {
    /// `host cpt18 is locked by root@box pid 4242 since 2026-12-01T10:00:00Z (xenplan apply)`
    public var description: String {
        "host \(host) is locked by \(holder.user)@\(holder.machine) pid \(holder.pid) since \(holder.time) (\(holder.command))"
    }
}

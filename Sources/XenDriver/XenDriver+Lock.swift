import Foundation
import HostModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `open(2)` by a name the driver's own `open` does not hide.
private func lockOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }

/// The apply lock of a dom0: a JSON `LockRecord` in `/run/xenplan/<host>.lock`, created
/// with `O_EXCL` and mode 0600 (`/run` is a tmpfs: a reboot clears it, as it ends every
/// apply). Every change happens under an `flock` of `/run/xenplan/.<host>.guard`, so that
/// replacing a stale record is one step even between two processes on the dom0.
extension XenDriver: HostLocking {
    /// Where the lock records live on a dom0.
    public static let lockDirectory = "/run/xenplan"

    public var lockPath: String { Self.lockPath(directory: Self.lockDirectory, host: hostName) }

    static func lockPath(directory: String, host: String) -> String { "\(directory)/\(host).lock" }

    public func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws {
        try Self.acquireLock(directory: Self.lockDirectory, host: hostName, for: owner, replacing: stale)
    }

    public func releaseLock(of owner: LockRecord) async throws {
        try Self.releaseLock(directory: Self.lockDirectory, host: hostName, of: owner)
    }

    public func breakLock() async throws -> LockRecord? {
        try Self.breakLock(directory: Self.lockDirectory, host: hostName)
    }

    public func lockHolder() async throws -> LockRecord? {
        try Self.lockHolder(directory: Self.lockDirectory, host: hostName)
    }

    // The same operations on any directory (tests use a temporary one).

    public static func acquireLock(directory: String, host: String, for owner: LockRecord, replacing stale: LockRecord?) throws {
        try withGuard(directory: directory, host: host) {
            try lockFile(directory: directory, host: host).acquire(for: owner, replacing: stale)
        }
    }

    public static func releaseLock(directory: String, host: String, of owner: LockRecord) throws {
        try withGuard(directory: directory, host: host) { try lockFile(directory: directory, host: host).release(of: owner) }
    }

    public static func breakLock(directory: String, host: String) throws -> LockRecord? {
        try withGuard(directory: directory, host: host) { try lockFile(directory: directory, host: host).breakLock() }
    }

    public static func lockHolder(directory: String, host: String) throws -> LockRecord? {
        try withGuard(directory: directory, host: host) { try lockFile(directory: directory, host: host).read() }
    }

    private static func lockFile(directory: String, host: String) -> LockRecordFile {
        LockRecordFile(path: lockPath(directory: directory, host: host), host: host) { what in lockError(host, what) }
    }

    private static func lockError(_ host: String, _ what: String) -> HostError {
        HostError(host: host, operation: "lock", message: "cannot \(what): \(String(cString: strerror(errno)))")
    }

    /// Runs `body` holding an exclusive `flock` on the host's guard file.
    private static func withGuard<T>(directory: String, host: String, _ body: () throws -> T) throws -> T {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { throw lockError(host, "create \(directory)") }
        let guardPath = "\(directory)/.\(host).guard"
        let fd = lockOpen(guardPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw lockError(host, "open \(guardPath)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw lockError(host, "lock \(guardPath)") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

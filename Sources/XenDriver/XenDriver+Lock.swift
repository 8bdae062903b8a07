import FoundationEssentials
import HostModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The apply lock of a dom0: a `DirectoryHostLock`, the record `/run/xenplan/<host>.lock`
/// guarded by `/run/xenplan/.<host>.guard` (`/run` is a tmpfs: a reboot clears it, as it
/// ends every apply).
extension XenDriver: HostLockReleasingNow {
    /// Where the lock records live on a dom0.
    public static let lockDirectory = "/run/xenplan"

    public func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws {
        try await Self.lock(directory: Self.lockDirectory, host: hostName).acquireLock(for: owner, replacing: stale)
    }

    public func releaseLock(of owner: LockRecord) async throws { try releaseLockNow(of: owner) }

    public func releaseLockNow(of owner: LockRecord) throws {
        try Self.lock(directory: Self.lockDirectory, host: hostName).releaseLockNow(of: owner)
    }

    public func breakLock() async throws -> LockRecord? {
        try await Self.lock(directory: Self.lockDirectory, host: hostName).breakLock()
    }

    public func lockHolder() async throws -> LockRecord? {
        try await Self.lock(directory: Self.lockDirectory, host: hostName).lockHolder()
    }

    /// The lock of `host` kept in `directory` (tests use a temporary one).
    public static func lock(directory: String, host: String) -> DirectoryHostLock {
        DirectoryHostLock(host: host, directory: directory, recordName: "\(host).lock", guardName: ".\(host).guard") { what in
            HostError(host: host, operation: "lock", message: "cannot \(what): \(String(cString: strerror(errno)))")
        }
    }
}

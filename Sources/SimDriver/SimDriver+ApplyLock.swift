import FoundationEssentials
import HostModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SimStore {
    /// `<host>.apply.lock`: the apply lock of a simulated host, beside its state.
    public func applyLockURL(_ host: String) -> URL { directory.appendingPathComponent("\(host).apply.lock") }
}

/// The apply lock of a simulated host: a `LockRecordFile` at `<state>/<host>.apply.lock`.
/// Every change happens under the host's `flock`, so that replacing a stale record is
/// one step even between processes.
extension SimDriver: HostLockReleasingNow {
    private var lockFile: LockRecordFile {
        LockRecordFile(path: store.applyLockURL(hostName).path, host: hostName) { what in
            SimError("cannot \(what): \(String(cString: strerror(errno)))")
        }
    }

    public func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws {
        try store.withLocks([hostName]) { _ in try lockFile.acquire(for: owner, replacing: stale) }
    }

    public func releaseLock(of owner: LockRecord) async throws { try releaseLockNow(of: owner) }

    public func releaseLockNow(of owner: LockRecord) throws {
        try store.withLocks([hostName]) { _ in try lockFile.release(of: owner) }
    }

    public func breakLock() async throws -> LockRecord? {
        try store.withLocks([hostName]) { _ in try lockFile.breakLock() }
    }

    public func lockHolder() async throws -> LockRecord? {
        try store.withLocks([hostName]) { _ in try lockFile.read() }
    }
}

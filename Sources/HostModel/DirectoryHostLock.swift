import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An apply lock kept as a `LockRecordFile` in a directory of its own (a dom0's
/// `/run/xenplan`, which a reboot empties, as it ends every process that could hold the
/// lock). Every change happens under an exclusive `flock` of a guard file beside the
/// record, so that replacing a stale record is one step even between two processes.
public struct DirectoryHostLock: HostLockReleasingNow {
    public let host: String
    public let directory: String
    /// The record, e.g. `/run/xenplan/cpt18.lock`.
    public let recordPath: String
    /// The file whose `flock` guards every change, e.g. `/run/xenplan/.cpt18.guard`.
    public let guardPath: String
    let failure: @Sendable (String) -> any Error

    public init(
        host: String, directory: String, recordName: String, guardName: String,
        failure: @escaping @Sendable (String) -> any Error
    ) {
        self.host = host
        self.directory = directory
        recordPath = "\(directory)/\(recordName)"
        guardPath = "\(directory)/\(guardName)"
        self.failure = failure
    }

    var file: LockRecordFile { LockRecordFile(path: recordPath, host: host, failure: failure) }

    public func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws {
        try guarded { try file.acquire(for: owner, replacing: stale) }
    }

    public func releaseLock(of owner: LockRecord) async throws { try releaseLockNow(of: owner) }

    public func releaseLockNow(of owner: LockRecord) throws {
        try guarded { try file.release(of: owner) }
    }

    public func breakLock() async throws -> LockRecord? {
        try guarded { try file.breakLock() }
    }

    public func lockHolder() async throws -> LockRecord? {
        try guarded { try file.read() }
    }

    /// Runs `body` holding the guard; the directory is made 0700 when missing.
    public func guarded<T>(_ body: () throws -> T) throws -> T {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { throw failure("create \(directory)") }
        let fd = open(guardPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open \(guardPath)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw failure("lock \(guardPath)") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

import Foundation
import HostModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let lockWrite = Glibc.write
#else
private let lockWrite = Darwin.write
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
        let path = lockPath(directory: directory, host: host)
        try withGuard(directory: directory, host: host) {
            if let current = try readLock(path, host: host) {
                guard let stale, current == stale else { throw HostLockHeld(host: host, holder: current) }
                // Written beside it and renamed over: the record is never missing or half-written.
                let temp = "\(directory)/.\(host).lock.\(owner.pid).tmp"
                unlink(temp)
                try createLock(owner, at: temp, host: host)
                guard rename(temp, path) == 0 else {
                    let error = lockError(host, "rename \(temp) to \(path)")
                    unlink(temp)
                    throw error
                }
                return
            }
            try createLock(owner, at: path, host: host)
        }
    }

    public static func releaseLock(directory: String, host: String, of owner: LockRecord) throws {
        let path = lockPath(directory: directory, host: host)
        try withGuard(directory: directory, host: host) {
            guard let current = try readLock(path, host: host), current == owner else { return }
            guard unlink(path) == 0 || errno == ENOENT else { throw lockError(host, "remove \(path)") }
        }
    }

    public static func breakLock(directory: String, host: String) throws -> LockRecord? {
        let path = lockPath(directory: directory, host: host)
        return try withGuard(directory: directory, host: host) {
            // An unreadable record is removed too: `unlock` is the way out of any lock.
            let current = try? readLock(path, host: host)
            guard unlink(path) == 0 || errno == ENOENT else { throw lockError(host, "remove \(path)") }
            return current ?? nil
        }
    }

    public static func lockHolder(directory: String, host: String) throws -> LockRecord? {
        let path = lockPath(directory: directory, host: host)
        return try withGuard(directory: directory, host: host) { try readLock(path, host: host) }
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

    private static func readLock(_ path: String, host: String) throws -> LockRecord? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw lockError(host, "read \(path)") }
        do {
            return try JSONDecoder().decode(LockRecord.self, from: data)
        } catch {
            throw HostError(host: host, operation: "lock", message: "lock record \(path) is unreadable (\(error)); remove it with `xenplan unlock \(host)`")
        }
    }

    private static func createLock(_ record: LockRecord, at path: String, host: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(record)
        data.append(0x0A)
        let fd = lockOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw lockError(host, "create \(path)") }
        defer { close(fd) }
        let ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = lockWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else {
            let error = lockError(host, "write \(path)")
            unlink(path)
            throw error
        }
    }
}

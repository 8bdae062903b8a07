import FoundationEssentials
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The on-disk form of an apply lock, shared by the drivers that keep it in a file (the
/// simulated host beside its state, a dom0 under `/run/xenplan`): a JSON `LockRecord`
/// created with `O_EXCL` and mode 0600, replaced by writing beside it and renaming over,
/// so that the record is never missing or half-written.
///
/// The caller holds its own exclusive guard (an `flock`) around every call; this type
/// only reads and writes the record.
public struct LockRecordFile: Sendable {
    public let path: String
    /// The host the lock protects, for messages.
    public let host: String
    /// Builds the error for a failed system call, e.g. `failure("create /run/xenplan/a.lock")`.
    let failure: @Sendable (String) -> any Error

    public init(path: String, host: String, failure: @escaping @Sendable (String) -> any Error) {
        self.path = path
        self.host = host
        self.failure = failure
    }

    /// Takes the lock for `owner`; a record equal to `stale` is replaced in one step.
    public func acquire(for owner: LockRecord, replacing stale: LockRecord?) throws {
        if let current = try read() {
            guard let stale, current == stale else { throw HostLockHeld(host: host, holder: current) }
            let directory = PathText.parent(path)
            let temp = "\(directory)/.\(PathText.lastComponent(path)).\(owner.pid).tmp"
            unlink(temp)
            try create(owner, at: temp)
            guard rename(temp, path) == 0 else {
                let error = failure("rename \(temp) to \(path)")
                unlink(temp)
                throw error
            }
            return
        }
        try create(owner, at: path)
    }

    /// Removes the record if `owner` holds it.
    public func release(of owner: LockRecord) throws {
        guard let current = try read(), current == owner else { return }
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("remove \(path)") }
    }

    /// Removes the record whoever holds it, even an unreadable one (`unlock` is the way
    /// out of any lock); returns what it held when readable.
    public func breakLock() throws -> LockRecord? {
        let current = try? read()
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("remove \(path)") }
        return current ?? nil
    }

    /// The current holder, if any.
    public func read() throws -> LockRecord? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("read \(path)") }
        do {
            return try JSONDecoder().decode(LockRecord.self, from: data)
        } catch {
            throw LockRecordUnreadable(path: path, host: host, reason: "\(error)")
        }
    }

    private func create(_ record: LockRecord, at target: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(record)
        data.append(0x0A)
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create \(target)") }
        defer { close(fd) }
        guard writeFully(fd, data), fsync(fd) == 0 else {
            let error = failure("write \(target)")
            unlink(target)
            throw error
        }
    }
}

/// A lock record that is not valid JSON: only `xenplan unlock` removes it.
public struct LockRecordUnreadable: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var host: String
    public var reason: String
    public var description: String {
        "lock record \(path) of host \(host) is unreadable (\(reason)); remove it with `xenplan unlock \(host)`"
    }
}

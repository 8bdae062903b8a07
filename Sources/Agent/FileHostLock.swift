import Foundation
import HostModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The apply lock of a host whose driver has none of its own: a JSON `LockRecord` in
/// `<directory>/<host>.apply.lock` (on a dom0, `/run/xenplan`, which a reboot empties,
/// as it does every process that could hold the lock). Created with `O_EXCL`, mode 0600;
/// every change happens under an `flock` of a sibling file, so that replacing a stale
/// record is one step even between two agents.
public struct FileHostLock: HostLocking {
    public let host: String
    public let directory: URL

    public init(host: String, directory: URL) {
        self.host = host
        self.directory = directory
    }

    var lockURL: URL { directory.appendingPathComponent("\(host).apply.lock") }
    var guardURL: URL { directory.appendingPathComponent(".\(host).apply.guard") }

    public func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws {
        try guarded {
            if let current = try read() {
                guard let stale, current == stale else { throw HostLockHeld(host: host, holder: current) }
                let temp = directory.appendingPathComponent(".\(host).apply.lock.\(owner.pid).tmp")
                unlink(temp.path)
                try create(owner, at: temp)
                guard rename(temp.path, lockURL.path) == 0 else {
                    let error = failure("replace", lockURL.path)
                    unlink(temp.path)
                    throw error
                }
                return
            }
            try create(owner, at: lockURL)
        }
    }

    public func releaseLock(of owner: LockRecord) async throws {
        try guarded {
            guard let current = try read(), current == owner else { return }
            guard unlink(lockURL.path) == 0 || errno == ENOENT else { throw failure("remove", lockURL.path) }
        }
    }

    public func breakLock() async throws -> LockRecord? {
        try guarded {
            let current = try? read()
            guard unlink(lockURL.path) == 0 || errno == ENOENT else { throw failure("remove", lockURL.path) }
            return current ?? nil
        }
    }

    public func lockHolder() async throws -> LockRecord? {
        try guarded { try read() }
    }

    private func guarded<R>(_ body: () throws -> R) throws -> R {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw failure("create the directory", directory.path)
        }
        let fd = open(guardURL.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open", guardURL.path) }
        defer {
            _ = flock(fd, LOCK_UN)
            close(fd)
        }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure("lock", guardURL.path) }
        }
        return try body()
    }

    private func read() throws -> LockRecord? {
        guard FileManager.default.fileExists(atPath: lockURL.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: lockURL.path) else { throw failure("read", lockURL.path) }
        do {
            return try JSONDecoder().decode(LockRecord.self, from: data)
        } catch {
            throw HostError(host: host, operation: "lock", message: "\(lockURL.path) is not a lock record; remove it with `xenplan unlock \(host)`")
        }
    }

    private func create(_ record: LockRecord, at url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(record)
        data.append(0x0A)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create", url.path) }
        let writer = LineWriter(fd: fd)
        let ok = writer.write(data) && fsync(fd) == 0
        writer.close()
        guard ok else {
            unlink(url.path)
            throw failure("write", url.path)
        }
    }

    private func failure(_ what: String, _ path: String) -> HostError {
        HostError(host: host, operation: "lock", message: "cannot \(what) \(path): \(String(cString: strerror(errno)))")
    }
}

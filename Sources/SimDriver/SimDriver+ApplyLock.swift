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

extension SimStore {
    /// `<host>.apply.lock`: the apply lock of a simulated host, beside its state.
    public func applyLockURL(_ host: String) -> URL { directory.appendingPathComponent("\(host).apply.lock") }
}

/// The apply lock of a simulated host: a JSON `LockRecord` in `<state>/<host>.apply.lock`,
/// created with `O_EXCL` and mode 0600. Every change happens under the host's `flock`, so
/// that replacing a stale record is one step even between processes.
extension SimDriver: HostLocking {
    public func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws {
        let url = store.applyLockURL(hostName)
        try store.withLocks([hostName]) { _ in
            if let current = try Self.readLock(url) {
                guard let stale, current == stale else { throw HostLockHeld(host: hostName, holder: current) }
                // Write beside it and rename over: the record is never missing or half-written.
                let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(owner.pid).tmp")
                unlink(temp.path)
                try Self.createLock(owner, at: temp)
                guard rename(temp.path, url.path) == 0 else {
                    let error = SimError.io("rename to", url.path)
                    unlink(temp.path)
                    throw error
                }
                return
            }
            try Self.createLock(owner, at: url)
        }
    }

    public func releaseLock(of owner: LockRecord) async throws {
        let url = store.applyLockURL(hostName)
        try store.withLocks([hostName]) { _ in
            guard let current = try Self.readLock(url), current == owner else { return }
            guard unlink(url.path) == 0 || errno == ENOENT else { throw SimError.io("remove", url.path) }
        }
    }

    public func breakLock() async throws -> LockRecord? {
        let url = store.applyLockURL(hostName)
        return try store.withLocks([hostName]) { _ in
            // An unreadable record is removed too: `unlock` is the way out of any lock.
            let current = try? Self.readLock(url)
            guard unlink(url.path) == 0 || errno == ENOENT else { throw SimError.io("remove", url.path) }
            return current ?? nil
        }
    }

    public func lockHolder() async throws -> LockRecord? {
        let url = store.applyLockURL(hostName)
        return try store.withLocks([hostName]) { _ in try Self.readLock(url) }
    }

    static func readLock(_ url: URL) throws -> LockRecord? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw SimError.io("read", url.path) }
        do {
            return try JSONDecoder().decode(LockRecord.self, from: data)
        } catch {
            throw SimError.unreadable(url.path, SimStore.describe(error))
        }
    }

    static func createLock(_ record: LockRecord, at url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(record)
        data.append(0x0A)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SimError.io("create", url.path) }
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
            unlink(url.path)
            throw SimError.io("write", url.path)
        }
    }
}

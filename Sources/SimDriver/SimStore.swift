import Foundation
import HostModel
import XenplanBasics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error of the simulator itself (no state for a host, unreadable file), as opposed to
/// a refusal of the simulated host, which is a `HostError`.
public struct SimError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    static func noState(host: String, directory: String) -> SimError {
        SimError("no simulated state for host \(host) in \(directory)")
    }

    static func invalidHostName(_ host: String) -> SimError {
        SimError("invalid simulated host name '\(host)': use [a-z0-9][a-z0-9.-]{0,62}")
    }

    static func unreadable(_ path: String, _ reason: String) -> SimError {
        SimError("cannot read simulated host file \(path): \(reason)")
    }

    static func io(_ what: String, _ path: String) -> SimError {
        SimError("cannot \(what) \(path): \(String(cString: strerror(errno)))")
    }
}

/// The files of simulated hosts in one state directory, and the locks that keep
/// processes (two applies, `sim xl` during an apply) from losing each other's changes.
public struct SimStore: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public func seedURL(_ host: String) -> URL { directory.appendingPathComponent("\(host).sim.json") }
    public func liveURL(_ host: String) -> URL { directory.appendingPathComponent("\(host).live.json") }
    public func lockURL(_ host: String) -> URL { directory.appendingPathComponent("\(host).sim.lock") }

    /// Host names are file names here: nothing that could leave the directory.
    static func isValidHostName(_ host: String) -> Bool {
        guard let first = host.unicodeScalars.first, host.unicodeScalars.count <= 63 else { return false }
        func ok(_ c: Unicode.Scalar, extra: Bool) -> Bool {
            ("a"..."z").contains(c) || ("0"..."9").contains(c) || (extra && (c == "." || c == "-"))
        }
        return ok(first, extra: false) && host.unicodeScalars.allSatisfy { ok($0, extra: true) }
    }

    /// Every host that has a seed or a working copy here, sorted.
    public func hostNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var hosts = Set<String>()
        for name in names {
            for suffix in [".sim.json", ".live.json"] where name.hasSuffix(suffix) {
                let host = String(name.dropLast(suffix.count))
                if Self.isValidHostName(host) { hosts.insert(host) }
            }
        }
        return hosts.sorted()
    }

    /// Runs `body` holding the exclusive lock of every host in `hosts` (taken in name
    /// order, so that two migrations in opposite directions cannot deadlock), then writes
    /// the files the body changed. If the body throws, nothing is written.
    ///
    /// The body must not suspend: the locks are `flock`s held by this thread.
    public func withLocks<R>(_ hosts: [String], _ body: (inout SimSession) throws -> R) throws -> R {
        let sorted = Array(Set(hosts)).sorted()
        for host in sorted where !Self.isValidHostName(host) { throw SimError.invalidHostName(host) }
        var descriptors: [Int32] = []
        defer {
            for fd in descriptors.reversed() {
                _ = flock(fd, LOCK_UN)
                close(fd)
            }
        }
        for host in sorted {
            let path = lockURL(host).path
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SimError.io("open lock file", path) }
            descriptors.append(fd)
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else { throw SimError.io("lock", path) }
            }
        }
        var session = SimSession(store: self, locked: Set(sorted))
        let result = try body(&session)
        for host in session.changed.sorted() {
            try write(session.files[host]!, to: liveURL(host))
        }
        return result
    }

    /// Reads a host: its working copy, else its seed, else an empty `machine`.
    func read(_ host: String, machine: SimMachine?) throws -> (file: SimHostFile, fresh: Bool) {
        let fm = FileManager.default
        for url in [liveURL(host), seedURL(host)] where fm.fileExists(atPath: url.path) {
            guard let data = fm.contents(atPath: url.path) else { throw SimError.io("read", url.path) }
            do {
                return (try SimHostFile.decode(data), url == seedURL(host))
            } catch {
                throw SimError.unreadable(url.path, Self.describe(error))
            }
        }
        if let machine { return (SimHostFile(machine: machine), true) }
        throw SimError.noState(host: host, directory: directory.path)
    }

    /// Writes atomically: a temporary file in the same directory, created 0600, synced,
    /// then renamed over the old one; a crash leaves the old file or the new, never half.
    public func write(_ file: SimHostFile, to url: URL) throws {
        let data = try file.encoded()
        let dir = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let temp = "\(dir)/.\(url.lastPathComponent).\(UUID().uuidString).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SimError.io("create", temp) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        let written = writeFully(fd, data)
        guard written, fsync(fd) == 0 else {
            close(fd)
            throw SimError.io("write", temp)
        }
        close(fd)
        guard rename(temp, url.path) == 0 else { throw SimError.io("rename to", url.path) }
        ok = true
        // The rename itself must reach the disk too.
        let dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let problem = error as? HostStateLimits.Violation { return problem.description }
        return decodingProblem(error)
    }
}

/// The hosts loaded under one set of locks.
public struct SimSession {
    let store: SimStore
    let locked: Set<String>
    var files: [String: SimHostFile] = [:]
    var changed: Set<String> = []

    init(store: SimStore, locked: Set<String>) {
        self.store = store
        self.locked = locked
    }

    /// A host's file; one opened from its seed or as an empty machine is written as the
    /// working copy when the session ends.
    public mutating func file(_ host: String, machine: SimMachine? = nil) throws -> SimHostFile {
        precondition(locked.contains(host), "host \(host) read without its lock")
        if let file = files[host] { return file }
        let (file, fresh) = try store.read(host, machine: machine)
        files[host] = file
        if fresh { changed.insert(host) }
        return file
    }

    public mutating func update(_ host: String, _ file: SimHostFile) {
        precondition(locked.contains(host), "host \(host) written without its lock")
        files[host] = file
        changed.insert(host)
    }
}

import FoundationEssentials
import HostModel
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files of simulated hosts in one state directory, and the locks that keep
/// processes (two applies, `sim xl` during an apply) from losing each other's changes.
public struct SimStore: Sendable {
    public let directory: URL
    /// What hosts are while this directory has no file for them.
    let blanks: [String: SimHostFile]

    public init(directory: URL, blanks: [String: SimHostFile] = [:]) {
        self.directory = directory
        self.blanks = blanks
    }

    public func seedURL(_ host: String) -> URL { directory.appendingPathComponent("\(host).sim.json") }
    public func liveURL(_ host: String) -> URL { directory.appendingPathComponent("\(host).live.json") }
    public func lockURL(_ host: String) -> URL { directory.appendingPathComponent("\(host).sim.lock") }

    /// The host whose seed or working copy `path` is (`cpt18` for `state/cpt18.sim.json`
    /// or `state/cpt18.live.json`); nil for any other file. Host names are file names
    /// here, so only a valid name (`Syntax.isName`) is one: nothing that could leave the
    /// directory.
    public static func hostName(ofFile path: String) -> String? {
        let name = URL(fileURLWithPath: path).lastPathComponent
        for suffix in [".sim.json", ".live.json"] where name.hasSuffix(suffix) {
            let host = String(name.dropLast(suffix.count))
            return Syntax.isName(host) ? host : nil
        }
        return nil
    }

    /// Every host that has a seed or a working copy here, or a blank, sorted.
    public func hostNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return Set(names.compactMap(Self.hostName(ofFile:))).union(blanks.keys).sorted()
    }

    /// Runs `body` holding the exclusive lock of every host in `hosts` (taken in name
    /// order, so that two migrations in opposite directions cannot deadlock), then writes
    /// the files the body changed. If the body throws, nothing is written.
    ///
    /// The body must not suspend: the locks are `flock`s held by this thread.
    public func withLocks<R>(_ hosts: [String], _ body: (inout SimSession) throws -> R) throws -> R {
        let sorted = Array(Set(hosts)).sorted()
        for host in sorted where !Syntax.isName(host) { throw SimError.invalidHostName(host) }
        var descriptors: [Int32] = []
        defer {
            for fd in descriptors.reversed() {
                _ = flock(fd, LOCK_UN)
                close(fd)
            }
        }
        if !sorted.isEmpty { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
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

    /// Reads a host: its working copy, else its seed, else its blank.
    func read(_ host: String) throws -> SimHostFile {
        let fm = FileManager.default
        for url in [liveURL(host), seedURL(host)] where fm.fileExists(atPath: url.path) {
            guard let data = fm.contents(atPath: url.path) else { throw SimError.io("read", url.path) }
            do {
                return try SimHostFile.decode(data)
            } catch {
                throw SimError.unreadable(url.path, Self.describe(error))
            }
        }
        if let blank = blanks[host] { return blank }
        throw SimError.noState(host: host, directory: directory.path)
    }

    /// Reads a host as `read` does, creating nothing: `plan`, `status` and `drift` leave
    /// the state directory as they found it (no working copy, no lock file, no
    /// directory). The lock is taken shared when its file exists, since only then can a
    /// writer hold it; without one, the host's files are only ever replaced whole (a
    /// rename), so what is read is one version or the next.
    public func peek(_ host: String) throws -> SimHostFile {
        guard Syntax.isName(host) else { throw SimError.invalidHostName(host) }
        let path = lockURL(host).path
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 {
            guard errno == ENOENT else { throw SimError.io("open lock file", path) }
            return try read(host)
        }
        defer {
            _ = flock(fd, LOCK_UN)
            close(fd)
        }
        while flock(fd, LOCK_SH) != 0 {
            guard errno == EINTR else { throw SimError.io("lock", path) }
        }
        return try read(host)
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

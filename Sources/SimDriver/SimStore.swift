import FoundationEssentials
import HostModel
import Synchronization
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
        let descriptors = try lock(sorted)
        defer { unlock(descriptors) }
        var session = SimSession(store: self, locked: Set(sorted))
        let result = try body(&session)
        try writeAll(session.changed.sorted().map { (session.files[$0]!, liveURL($0)) })
        return result
    }

    /// Runs `body` as `withLocks` does, together with the other changes to this state
    /// directory's hosts that arrive meanwhile (`SimCommitter`): the batch holds the locks
    /// of all their hosts, reads each file once, applies every body in turn, and writes
    /// each changed file once. Returns once the file holding this change is written and
    /// synced; a body that throws changes nothing.
    public func commit<R: Sendable>(
        _ hosts: [String], _ body: @escaping @Sendable (inout SimSession) throws -> R
    ) async throws -> R {
        let sorted = Array(Set(hosts)).sorted()
        for host in sorted where !Syntax.isName(host) { throw SimError.invalidHostName(host) }
        let box = SimCommitter.Box<R>()
        return try await withCheckedThrowingContinuation { continuation in
            SimCommitter.shared(for: directory).submit(
                SimCommitter.Job(
                    store: self, hosts: sorted, run: { session in box.value = try body(&session) },
                    done: { error in
                        if let error {
                            continuation.resume(throwing: error)
                        } else {
                            continuation.resume(returning: box.value!)
                        }
                    }))
        }
    }

    /// Takes the exclusive lock of every host of `sorted` (in that order, so that two
    /// migrations in opposite directions cannot deadlock); the descriptors to `unlock`.
    func lock(_ sorted: [String]) throws -> [Int32] {
        for host in sorted where !Syntax.isName(host) { throw SimError.invalidHostName(host) }
        var descriptors: [Int32] = []
        do {
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
        } catch {
            unlock(descriptors)
            throw error
        }
        return descriptors
    }

    func unlock(_ descriptors: [Int32]) {
        for fd in descriptors.reversed() {
            _ = flock(fd, LOCK_UN)
            close(fd)
        }
    }

    /// Reads a host: its working copy, else its seed, else its blank.
    func read(_ host: String) throws -> SimHostFile {
        for url in [liveURL(host), seedURL(host)] {
            let fd = open(url.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                guard errno == ENOENT || errno == ENOTDIR else { throw SimError.io("read", url.path) }
                continue
            }
            defer { close(fd) }
            // Known by the open file itself, so that a file replaced meanwhile is not
            // remembered under the old one's identity.
            let identity = SimFileCache.Identity(descriptor: fd)
            if let identity, let known = SimFileCache.file(at: url.path, identity: identity) { return known }
            guard let data = Self.readAll(fd) else { throw SimError.io("read", url.path) }
            do {
                let file = try SimHostFile.decode(data)
                if let identity { SimFileCache.rememberRead(file, at: url.path, identity: identity) }
                return file
            } catch {
                throw SimError.unreadable(url.path, Self.describe(error))
            }
        }
        if let blank = blanks[host] { return blank }
        throw SimError.noState(host: host, directory: directory.path)
    }

    /// Everything `fd` holds from its start; nil when reading fails.
    static func readAll(_ fd: Int32) -> Data? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(data.count)) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return data }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// Reads a host as `read` does, creating nothing: `plan`, `status` and `drift` leave
    /// the state directory as they found it (no working copy, no lock file, no
    /// directory). The lock is taken shared when its file exists, since only then can a
    /// writer hold it; without one, the host's files are only ever replaced whole (a
    /// rename), so what is read is one version or the next.
    ///
    /// A file this process decoded or wrote before, still the one on disk, is returned
    /// without the lock: it is one version, whole, as a read under the lock before the
    /// writer took it would have been.
    public func peek(_ host: String) throws -> SimHostFile {
        guard Syntax.isName(host) else { throw SimError.invalidHostName(host) }
        for url in [liveURL(host), seedURL(host)] {
            guard let identity = SimFileCache.Identity(path: url.path) else { continue }
            if let known = SimFileCache.file(at: url.path, identity: identity) { return known }
            break
        }
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
        try writeAll([(file, url)])
    }

    /// Writes each file as `write` does, side by side (`ParallelBlocking`), then syncs the
    /// directory once.
    ///
    /// Each file is written into its spare, `.<name>.spare` beside it (0600, synced),
    /// which is then swapped with it in one step (`RenameExchange`): the old version
    /// becomes the spare, to be overwritten next time. Where names cannot be swapped (no
    /// file yet, another system) the spare is renamed over the file instead. Either way a
    /// crash leaves the old file or the new, never half of one.
    func writeAll(_ files: [(SimHostFile, URL)]) throws {
        guard !files.isEmpty else { return }
        let dir = files[0].1.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let outcomes = Mutex([SimError?](repeating: nil, count: files.count))
        ParallelBlocking.forEach(files.count) { i in
            let (file, url) = files[i]
            let problem = Self.replace(url.path, with: file, spare: "\(dir)/.\(url.lastPathComponent).spare")
            outcomes.withLock { $0[i] = problem }
        }
        // The names themselves must reach the disk too.
        let dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
        if let problem = outcomes.withLock({ $0.compactMap { $0 }.first }) { throw problem }
    }

    /// Writes `file` into `spare` (created 0600, synced), then puts it in `path`'s place;
    /// what went wrong, if anything.
    private static func replace(_ path: String, with file: SimHostFile, spare: String) -> SimError? {
        guard let data = try? file.encoded() else { return SimError.io("encode", spare) }
        let fd = open(spare, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return SimError.io("create", spare) }
        let written = fchmod(fd, 0o600) == 0 && writeFully(fd, data) && fsync(fd) == 0
        let problem = written ? nil : SimError.io("write", spare)
        close(fd)
        if let problem {
            unlink(spare)
            return problem
        }
        guard RenameExchange.swap(spare, path) || rename(spare, path) == 0 else {
            let problem = SimError.io("rename to", path)
            unlink(spare)
            return problem
        }
        if let identity = SimFileCache.Identity(path: path), let checked = try? file.checked() {
            SimFileCache.remember(checked, at: path, identity: identity)
        }
        return nil
    }

    static func describe(_ error: any Error) -> String {
        if let problem = error as? HostStateLimits.Violation { return problem.description }
        return decodingProblem(error)
    }
}

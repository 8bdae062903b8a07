import FoundationEssentials
import Planner
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One line of the journal.
public struct JournalEntry: Codable, Hashable, Sendable {
    public enum Event: String, Codable, Hashable, Sendable {
        case runStarted = "run-started"
        case started, done, failed, skipped, excluded
        case runEnded = "run-ended"
        /// A later run reported this one as cut short (`Journal.recordReported`).
        case runAbandoned = "run-abandoned"
    }

    /// ISO 8601, UTC, milliseconds.
    public var time: String
    public var run: String
    public var event: Event
    public var action: Int?
    public var kind: String?
    public var host: String?
    /// The receiving host of a migration or a cold move.
    public var target: String?
    public var domain: String?
    public var message: String?
    /// On `run-started`: the digest of the plan being applied (a saved plan is applied once).
    public var plan: String?

    public init(
        time: String, run: String, event: Event, action: Int? = nil, kind: String? = nil, host: String? = nil,
        target: String? = nil, domain: String? = nil, message: String? = nil, plan: String? = nil
    ) {
        self.time = time
        self.run = run
        self.event = event
        self.action = action
        self.kind = kind
        self.host = host
        self.target = target
        self.domain = domain
        self.message = message
        self.plan = plan
    }
}

extension JournalEntry {
    /// Its text escaped for a terminal: anyone who can write to the state directory can
    /// write the journal, and what it says is printed when a run is reported as cut short.
    var escapedForTerminal: JournalEntry {
        let escape = { (text: String) in TerminalText.escaped(text) }
        var e = self
        e.time = escape(time)
        e.run = escape(run)
        e.kind = kind.map(escape)
        e.host = host.map(escape)
        e.target = target.map(escape)
        e.domain = domain.map(escape)
        e.message = message.map(escape)
        e.plan = plan.map(escape)
        return e
    }
}

/// An apply that never wrote its `run-ended` line (killed, or the machine went down),
/// with the actions it started and did not finish: what it may have left half done.
public struct UnfinishedRun: Hashable, Sendable {
    /// Its `run-started` entry.
    public var run: JournalEntry
    public var started: [JournalEntry]
}

/// The apply journal: JSON lines appended to `<state>/journal.jsonl` (0600). Each group of
/// lines (`append`) is written with one `write` and synced before the journal returns, so
/// that after a crash the journal says what was started and what was finished.
///
/// The file is never reached through a symbolic link (a link planted in a shared state
/// directory would have xenplan append to, or rotate, whatever it points at), and it stays
/// bounded: when it passes `Rotation.maxBytes` or `Rotation.maxRuns`, opening it rewrites it
/// with the newest runs only, atomically. Readers read at most its last `maxBytes`.
public final class Journal: @unchecked Sendable {
    /// When the journal is rewritten, and what is kept.
    public struct Rotation: Hashable, Sendable {
        /// Rotate when the file is larger than this…
        public var maxBytes = 8 << 20
        /// …or holds more runs than this.
        public var maxRuns = 2_000
        /// Then keep at most this many of the newest runs, in at most `keepBytes`.
        public var keepRuns = 1_000
        public var keepBytes = 4 << 20
        public init() {}
    }

    public let path: String
    private var fd: Int32
    private let lock = Lock()
    private let encoder: JSONEncoder
    /// Called after each sync with how many lines it made durable (a test seam for the
    /// group commit); set before the journal is used.
    public var afterSync: (@Sendable (_ lines: Int) -> Void)?

    /// Opens (creating 0600) the journal for appending, rotating it first when it is due.
    public init(path: String, rotation: Rotation = Rotation()) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.rotateIfDue(path, rotation)
        fd = try Self.openForAppending(path)
        self.path = path
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    deinit { close(fd) }

    public func append(_ entry: JournalEntry) throws {
        try append([entry])
    }

    /// Appends `entries` in order with one `write` and one `fsync` (group commit): the
    /// executor records every action that finished at once, and then every action about
    /// to start, each group synced before anything that depends on it goes on.
    public func append(_ entries: [JournalEntry]) throws {
        guard !entries.isEmpty else { return }
        var data = Data()
        for entry in entries {
            data.append(try encoder.encode(entry))
            data.append(0x0A)
        }
        try lock.withLock {
            try lockCurrentFile()
            defer { _ = flock(fd, LOCK_UN) }
            let ok = writeFully(fd, data)
            guard ok, fsync(fd) == 0 else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
            afterSync?(entries.count)
        }
    }

    /// Records that `runs` were reported as cut short by run `runID` (a `run-abandoned`
    /// line each), so that later applies do not report them again.
    public func recordReported(_ runs: [UnfinishedRun], by runID: String) throws {
        for unfinished in runs {
            try append(
                JournalEntry(
                    time: Self.timestamp(), run: unfinished.run.run, event: .runAbandoned,
                    message: "cut short; reported by run \(runID)"))
        }
    }

    /// Takes the file's lock, on the file that is the journal now: another process may
    /// have rotated it since it was opened, and lines appended to the old one would be lost.
    private func lockCurrentFile() throws {
        while true {
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
            }
            var open = stat(), current = stat()
            if fstat(fd, &open) == 0, lstat(path, &current) == 0, open.st_ino == current.st_ino, open.st_dev == current.st_dev {
                return
            }
            _ = flock(fd, LOCK_UN)
            let reopened = try Self.openForAppending(path)
            close(fd)
            fd = reopened
        }
    }

    /// `O_NOFOLLOW`, a regular file only (a FIFO would block the open), 0600 when
    /// created, and the directory synced then, so that the new name survives a crash.
    static func openForAppending(_ path: String) throws -> Int32 {
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
        var created = true
        var fd = open(path, flags | O_CREAT | O_EXCL, 0o600)
        if fd < 0 && errno == EEXIST {
            created = false
            fd = open(path, flags)
        }
        guard fd >= 0 else {
            if errno == ELOOP { throw JournalError.symbolicLink(path) }
            throw JournalError(path: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw JournalError(path: path, reason: "it is not a regular file; remove it")
        }
        _ = fcntl(fd, F_SETFL, O_WRONLY | O_APPEND)
        if created { syncDirectory(of: path) }
        return fd
    }

    static func syncDirectory(of path: String) {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }

    // MARK: - Rotation

    /// Rewrites the journal with its newest runs when it is over either limit: a temporary
    /// file in the same directory (0600, synced), renamed over it, under the journal's
    /// lock so that no concurrent append is lost.
    static func rotateIfDue(_ path: String, _ rotation: Rotation) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ELOOP { throw JournalError.symbolicLink(path) }
            return
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
        var data = readTail(fd, size: Int(info.st_size), maxBytes: rotation.maxBytes)
        guard info.st_size > rotation.maxBytes || runCount(data) > rotation.maxRuns else { return }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
        }
        defer { _ = flock(fd, LOCK_UN) }
        var current = stat()
        // Rotated by another process meanwhile: nothing left to do.
        guard lstat(path, &current) == 0, current.st_ino == info.st_ino else { return }
        guard fstat(fd, &info) == 0 else { return }
        data = readTail(fd, size: Int(info.st_size), maxBytes: rotation.maxBytes)
        let kept = newestRuns(in: data, rotation)
        try replace(path, with: kept)
    }

    /// How many `run-started` lines `data` holds, as this journal writes them (keys sorted,
    /// no spaces): counted without decoding, since it is done at every open.
    static func runCount(_ data: Data) -> Int {
        let marker = Array(#""event":"run-started""#.utf8)
        return data.withUnsafeBytes { buffer -> Int in
            let bytes = buffer.bindMemory(to: UInt8.self)
            guard bytes.count >= marker.count else { return 0 }
            var count = 0, index = 0
            let last = bytes.count - marker.count
            while index <= last {
                if bytes[index] == marker[0], memcmp(bytes.baseAddress! + index, marker, marker.count) == 0 {
                    count += 1
                    index += marker.count
                } else {
                    index += 1
                }
            }
            return count
        }
    }

    /// The lines of the newest `keepRuns` runs that fit in `keepBytes`, in their order.
    static func newestRuns(in data: Data, _ rotation: Rotation) -> Data {
        let decoder = JSONDecoder()
        var lines: [(run: String, line: Data)] = []
        for line in data.split(separator: 0x0A) {
            guard let entry = try? decoder.decode(JournalEntry.self, from: Data(line)) else { continue }
            lines.append((entry.run, Data(line)))
        }
        var order: [String] = []
        var bytes: [String: Int] = [:]
        for (run, line) in lines {
            if bytes[run] == nil { order.append(run) }
            bytes[run, default: 0] += line.count + 1
        }
        var keep = Set<String>(), total = 0
        for run in order.reversed().prefix(rotation.keepRuns) {
            total += bytes[run]!
            if total > rotation.keepBytes { break }
            keep.insert(run)
        }
        var out = Data()
        for (run, line) in lines where keep.contains(run) {
            out.append(line)
            out.append(0x0A)
        }
        return out
    }

    static func replace(_ path: String, with data: Data) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let temp = "\(dir)/.\(URL(fileURLWithPath: path).lastPathComponent).\(UUID().uuidString).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw JournalError(path: temp, reason: String(cString: strerror(errno))) }
        var renamed = false
        defer { if !renamed { unlink(temp) } }
        let written = writeFully(fd, data)
        guard written, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw JournalError(path: temp, reason: reason)
        }
        close(fd)
        guard rename(temp, path) == 0 else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
        renamed = true
        syncDirectory(of: path)
    }

    /// At most the last `maxBytes` of the file, starting at a line: a journal that grew
    /// beyond its limit (appended to by an older xenplan) is still read in bounded time.
    static func readTail(_ fd: Int32, size: Int, maxBytes: Int) -> Data {
        let start = max(0, size - maxBytes)
        var data = Data(count: size - start)
        var offset = 0
        let ok = data.withUnsafeMutableBytes { buffer -> Bool in
            while offset < buffer.count {
                let n = pread(fd, buffer.baseAddress! + offset, buffer.count - offset, off_t(start + offset))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return offset > 0 }
                offset += n
            }
            return true
        }
        guard ok else { return Data() }
        data.count = offset
        if start > 0, let newline = data.firstIndex(of: 0x0A) { data = data[(newline + 1)...] }
        return Data(data)
    }

    // MARK: - Reading

    /// Every readable entry of the journal at `path` (none if it does not exist, or is a
    /// symbolic link), from at most its last `Rotation().maxBytes`; lines a crash cut
    /// short, or that are not journal entries, are passed over.
    public static func entries(at path: String) -> [JournalEntry] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return [] }
        let data = readTail(fd, size: Int(info.st_size), maxBytes: Rotation().maxBytes)
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { line in
            (try? decoder.decode(JournalEntry.self, from: Data(line)))?.escapedForTerminal
        }
    }

    /// The run that already started applying the plan with this digest, if any.
    public static func runThatApplied(planDigest: String, at path: String) -> JournalEntry? {
        entries(at: path).first { $0.event == .runStarted && $0.plan == planDigest }
    }

    /// Every run that started and never ended (nor was reported as cut short by a later
    /// run, `recordReported`), oldest first: concurrent applies on different hosts can
    /// leave several behind when the machine goes down.
    public static func unfinishedRuns(at path: String) -> [UnfinishedRun] {
        unfinishedRuns(in: entries(at: path))
    }

    static func unfinishedRuns(in all: [JournalEntry]) -> [UnfinishedRun] {
        var byRun: [String: [JournalEntry]] = [:]
        var starts: [JournalEntry] = []
        for entry in all {
            byRun[entry.run, default: []].append(entry)
            if entry.event == .runStarted { starts.append(entry) }
        }
        var seen = Set<String>()
        return starts.compactMap { start in
            guard seen.insert(start.run).inserted else { return nil }
            let run = byRun[start.run] ?? []
            guard !run.contains(where: { $0.event == .runEnded || $0.event == .runAbandoned }) else { return nil }
            let finished = Set(run.filter { $0.event == .done || $0.event == .failed }.compactMap(\.action))
            return UnfinishedRun(run: start, started: run.filter { $0.event == .started && !finished.contains($0.action ?? -1) })
        }
    }

    /// `2026-12-01T10:00:00.123Z`. From `UTCTime` (gmtime_r), not a date formatter: the
    /// journal takes two per action, and a formatter made for each was the largest cost of
    /// writing it.
    public static func timestamp(_ date: Date = Date()) -> String {
        UTCTime(date).iso8601Milliseconds
    }
}

public struct JournalError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "cannot write the journal \(path): \(reason)" }

    static func symbolicLink(_ path: String) -> JournalError {
        JournalError(path: path, reason: "it is a symbolic link, which xenplan does not follow; remove it (a new journal is created in its place)")
    }
}

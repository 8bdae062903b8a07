import Foundation
import Planner
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let journalWrite = Glibc.write
#else
private let journalWrite = Darwin.write
#endif

/// One line of the journal.
public struct JournalEntry: Codable, Hashable, Sendable {
    public enum Event: String, Codable, Hashable, Sendable {
        case runStarted = "run-started"
        case started, done, failed, skipped, excluded
        case runEnded = "run-ended"
    }

    /// ISO 8601, UTC, milliseconds.
    public var time: String
    public var run: String
    public var event: Event
    public var action: Int?
    public var kind: String?
    public var host: String?
    public var domain: String?
    public var message: String?
    /// On `run-started`: the digest of the plan being applied (a saved plan is applied once).
    public var plan: String?

    public init(time: String, run: String, event: Event, action: Int? = nil, kind: String? = nil, host: String? = nil,
                domain: String? = nil, message: String? = nil, plan: String? = nil) {
        self.time = time
        self.run = run
        self.event = event
        self.action = action
        self.kind = kind
        self.host = host
        self.domain = domain
        self.message = message
        self.plan = plan
    }
}

/// The apply journal: JSON lines appended to `<state>/journal.jsonl` (0600). Each line is
/// written with one `write` and synced before the journal returns, so that after a crash
/// the journal says what was started and what was finished.
public final class Journal: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    private let encoder: JSONEncoder

    /// Opens (creating 0600) the journal for appending.
    public init(path: String) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        self.path = path
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    deinit { close(fd) }

    public func append(_ entry: JournalEntry) throws {
        var data = try encoder.encode(entry)
        data.append(0x0A)
        try lock.withLock {
            let ok = data.withUnsafeBytes { buffer -> Bool in
                var offset = 0
                while offset < buffer.count {
                    let n = journalWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return false
                    }
                    offset += n
                }
                return true
            }
            guard ok, fsync(fd) == 0 else { throw JournalError(path: path, reason: String(cString: strerror(errno))) }
        }
    }

    /// Every readable entry of the journal at `path` (none if it does not exist); lines a
    /// crash cut short are passed over.
    public static func entries(at path: String) -> [JournalEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(JournalEntry.self, from: Data($0)) }
    }

    /// The run that already started applying the plan with this digest, if any.
    public static func runThatApplied(planDigest: String, at path: String) -> JournalEntry? {
        entries(at: path).first { $0.event == .runStarted && $0.plan == planDigest }
    }

    /// The last run, if it never ended (killed, or the machine went down), with the
    /// actions it started and did not finish: what an interrupted apply may have left
    /// half done.
    public static func unfinishedRun(at path: String) -> (run: JournalEntry, started: [JournalEntry])? {
        let all = entries(at: path)
        guard let start = all.last(where: { $0.event == .runStarted }) else { return nil }
        let run = all.filter { $0.run == start.run }
        guard !run.contains(where: { $0.event == .runEnded }) else { return nil }
        let finished = Set(run.filter { $0.event == .done || $0.event == .failed }.compactMap(\.action))
        return (start, run.filter { $0.event == .started && !finished.contains($0.action ?? -1) })
    }

    /// `2026-12-01T10:00:00.123Z`.
    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

public struct JournalError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "cannot write the journal \(path): \(reason)" }
}

extension Plan {
    /// A digest of the plan's content (FNV-1a-64 of its canonical JSON): what the journal
    /// records so that one saved plan is applied at most once.
    public var digest: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

import Executor
import Foundation
import HostModel
import Planner
import Synchronization
import Testing
import XenplanTestSupport

/// The journal: one synced JSON line before and after every action.
@Suite struct JournalTests {
    @Test func actionsStartingOrEndingTogetherShareOneSync() async throws {
        let dir = TemporaryDirectory.unusedURL("journal")
        let path = dir.appendingPathComponent("journal.jsonl").path
        var b = PlanBuilder()
        for i in 0..<4 { b.add(.setVcpus, on: "h\(i)", domain: "d\(i)", [.setVcpus(domain: "d\(i)", count: 2)]) }
        b.add(.setVcpus, on: "h0", domain: "last", [.setVcpus(domain: "last", count: 2)], after: [0, 1, 2, 3])
        let journal = try Journal(path: path)
        let groups = Mutex<[Int]>([])
        journal.afterSync = { lines in groups.withLock { $0.append(lines) } }
        let hosts = (0..<4).map { FakeHost("h\($0)") }
        _ = try await Executor(plan: b.plan, drivers: hosts, journal: journal, runID: "run-g").run()

        let synced = groups.withLock { $0 }
        // run-started; the four started lines together; then their done lines, as the loop
        // found them finished, the last with the dependant's started line; its done line;
        // run-ended.
        #expect(synced.prefix(2) == [1, 4], "\(synced)")
        #expect(synced.suffix(2) == [1, 1], "\(synced)")
        #expect(synced.reduce(0, +) == 12, "\(synced)")
        #expect(synced.count <= 8, "\(synced)")
        // Crash consistency: every done line is on disk before the dependant's started line.
        let lines = Journal.entries(at: path).map { "\($0.event.rawValue) \($0.action.map(String.init) ?? "-")" }
        let started = try #require(lines.firstIndex(of: "started 4"))
        for i in 0..<4 { #expect(try #require(lines.firstIndex(of: "done \(i)")) < started) }
    }

    @Test func timestampsAreISO8601InUTCWithMilliseconds() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        #expect(Journal.timestamp(Date(timeIntervalSince1970: 1_764_583_200.123)) == "2025-12-01T10:00:00.123Z")
        var random = SystemRandomNumberGenerator()
        // Leap days, ends of centuries, before 1970.
        let seconds: [Double] =
            [0, -1, 951_782_400, 951_868_799.999, 4_107_542_400, -2_208_988_800.5]
            + (0..<500).map { _ in Double(Int64.random(in: -2_000_000_000...4_000_000_000, using: &random)) + 0.25 }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            #expect(Journal.timestamp(date) == formatter.string(from: date), "\(value)")
        }
    }

    @Test func everyActionIsJournaledBeforeAndAfter() async throws {
        let dir = TemporaryDirectory.unusedURL("journal")
        let path = dir.appendingPathComponent("journal.jsonl").path
        var b = PlanBuilder()
        b.add(.create, on: "a", domain: "web", [.create(domain: "web")])
        b.add(.setVcpus, on: "a", domain: "web", [.setVcpus(domain: "web", count: 2)], after: [0])
        b.add(.migrate, on: "a", domain: "git", [.migrate(domain: "git", toHost: "b")], disruption: .pause)
        let a = FakeHost("a")
        a.fail("create", domain: "web", message: "no memory")
        let plan = b.plan
        let options = ExecutorOptions(parallelism: 1, excluded: Executor.exclusions(in: plan, maxDisruption: .live))
        _ = try await Executor(plan: plan, drivers: [a], options: options, journal: try Journal(path: path), runID: "run-1").run()

        let entries = Journal.entries(at: path)
        #expect(
            entries.map { "\($0.event.rawValue) \($0.action.map(String.init) ?? "-")" } == [
                "run-started -", "excluded 2", "started 0", "failed 0", "skipped 1", "run-ended -",
            ])
        #expect(Set(entries.map(\.run)) == ["run-1"])
        #expect(entries[0].plan == plan.digest)
        #expect(entries[3].message == "create: no memory")
        #expect(entries[3].host == "a" && entries[3].domain == "web" && entries[3].kind == "create")
        #expect(entries[4].message == "depends on #0 create web, which failed")
        #expect(entries[5].message == "0 done, 1 failed, 1 skipped, 1 left out")
        #expect(Journal.runThatApplied(planDigest: plan.digest, at: path)?.run == "run-1")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        // Each line is a JSON object with the documented keys.
        let first = try #require(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst(2).first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["time", "run", "event", "action", "kind", "host", "domain"])
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func aLineCutShortByACrashIsPassedOver() throws {
        let dir = TemporaryDirectory.unusedURL("journal")
        let path = dir.appendingPathComponent("journal.jsonl").path
        let journal = try Journal(path: path)
        try journal.append(JournalEntry(time: "t", run: "r", event: .started, action: 1))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"time\":\"t\",\"ru".utf8))
        try handle.close()
        #expect(Journal.entries(at: path).map(\.action) == [1])
        try? FileManager.default.removeItem(at: dir)
    }
}

/// The journal is a file in a directory others may write to: it is never reached through
/// a link, stays bounded, reads in bounded time, and survives any line.
@Suite struct JournalBoundsTests {
    static func folder() throws -> URL { try TemporaryDirectory.create("journal") }

    static func run(_ journal: Journal, _ id: String, actions: Int = 1, ended: Bool = true) throws {
        try journal.append(JournalEntry(time: "t", run: id, event: .runStarted, plan: "p-\(id)"))
        for action in 0..<actions {
            try journal.append(JournalEntry(time: "t", run: id, event: .started, action: action, kind: "create", host: "a"))
            if ended { try journal.append(JournalEntry(time: "t", run: id, event: .done, action: action)) }
        }
        if ended { try journal.append(JournalEntry(time: "t", run: id, event: .runEnded, message: "done")) }
    }

    @Test func aSymbolicLinkIsRefusedAndNothingIsAppendedToItsTarget() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("precious")
        try Data("keep me\n".utf8).write(to: target)
        let path = dir.appendingPathComponent("journal.jsonl").path
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target.path)
        #expect(throws: JournalError.self) { try Journal(path: path) }
        do {
            _ = try Journal(path: path)
        } catch {
            #expect(
                "\(error)"
                    == "cannot write the journal \(path): it is a symbolic link, which xenplan does not follow; remove it (a new journal is created in its place)"
            )
        }
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep me\n")
        #expect(Journal.entries(at: path).isEmpty)
        #expect(Journal.unfinishedRuns(at: path).isEmpty)
    }

    @Test func aFifoIsRefusedWithoutBlocking() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: JournalError.self) { try Journal(path: path) }
        #expect(Journal.entries(at: path).isEmpty)
    }

    @Test func createdPrivate() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        try Self.run(Journal(path: path), "r1")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }

    @Test func rotationKeepsTheNewestRuns() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        var rotation = Journal.Rotation()
        rotation.maxRuns = 10
        rotation.keepRuns = 4
        let journal = try Journal(path: path, rotation: rotation)
        for n in 1...10 { try Self.run(journal, "r\(n)") }
        // Not over the limit yet: nothing is rewritten.
        _ = try Journal(path: path, rotation: rotation)
        #expect(Set(Journal.entries(at: path).map(\.run)).count == 10)
        try Self.run(journal, "r11", ended: false)
        _ = try Journal(path: path, rotation: rotation)
        #expect(Journal.entries(at: path).filter { $0.event == .runStarted }.map(\.run) == ["r8", "r9", "r10", "r11"])
        #expect(Journal.unfinishedRuns(at: path).map(\.run.run) == ["r11"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["journal.jsonl"], "no temporary file left")
        // The journal opened before the rotation appends to the new file, not the old one.
        try journal.append(JournalEntry(time: "t", run: "r11", event: .runEnded))
        #expect(Journal.unfinishedRuns(at: path).isEmpty)
    }

    @Test func rotationBySize() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        var rotation = Journal.Rotation()
        rotation.maxBytes = 64 << 10
        rotation.keepBytes = 16 << 10
        let journal = try Journal(path: path, rotation: rotation)
        for n in 1...120 { try Self.run(journal, "r\(n)", actions: 5) }
        let before = try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber
        #expect(before.intValue > 64 << 10)
        _ = try Journal(path: path, rotation: rotation)
        let after = try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber
        #expect(after.intValue <= 16 << 10)
        let runs = Journal.entries(at: path).filter { $0.event == .runStarted }.map(\.run)
        #expect(runs.last == "r120")
        #expect(runs == (121 - runs.count...120).map { "r\($0)" })
    }

    @Test func everyUnfinishedRunIsReportedOldestFirst() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        let journal = try Journal(path: path)
        try Self.run(journal, "a", actions: 2, ended: false)
        try Self.run(journal, "b")
        try Self.run(journal, "c", actions: 1, ended: false)
        let unfinished = Journal.unfinishedRuns(at: path)
        #expect(unfinished.map(\.run.run) == ["a", "c"])
        #expect(unfinished.map { $0.started.compactMap(\.action) } == [[0, 1], [0]])
        // A run that ends later leaves the earlier unfinished ones reported.
        try Self.run(journal, "d")
        #expect(Journal.unfinishedRuns(at: path).map(\.run.run) == ["a", "c"])
        // Once reported, they are not reported again.
        try journal.recordReported(unfinished, by: "e")
        #expect(Journal.unfinishedRuns(at: path).isEmpty)
        #expect(Journal.entries(at: path).last?.message == "cut short; reported by run e")
    }

    @Test func linesThatAreNotEntriesArePassedOver() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        try Self.run(Journal(path: path), "good", ended: false)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        for junk in [
            Data([0xFF, 0xFE, 0x00, 0x1B]), Data("{}".utf8), Data("[1,2]".utf8), Data("null".utf8),
            Data(#"{"time":1,"run":"x","event":"started"}"#.utf8),
            Data(#"{"time":"t","run":"x","event":"exploded"}"#.utf8),
            Data(#"{"time":"t","run":"good","event":"done","action":99999999999999999999}"#.utf8),
            Data(#"{"time":"t","run":"good","event":"done","action":-9223372036854775808}"#.utf8),
            Data(#"{"time":"t","run":"\u001b[2J","event":"run-started"}"#.utf8),
            Data(String(repeating: "[", count: 100_000).utf8),
            Data(String(repeating: "x", count: 1 << 20).utf8),
        ] {
            handle.write(junk + Data([0x0A]))
        }
        try handle.close()
        let unfinished = Journal.unfinishedRuns(at: path)
        // Read, its text escaped: it is printed when the run is reported.
        #expect(unfinished.map(\.run.run) == ["good", #"\u{1b}[2J"#])
        #expect(unfinished.first?.started.compactMap(\.action) == [0])
        #expect(Journal.entries(at: path).count == 4)
    }

    /// A journal that grew far beyond its limit (written before rotation existed) is read
    /// from its last 8 MiB only, and rotated on the next open.
    @Test func readingIsBounded() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        var text = ""
        for n in 0..<100_000 {
            text +=
                #"{"action":\#(n % 7),"event":"started","host":"cpt18","kind":"create","run":"r\#(n / 10)","time":"2026-12-01T10:00:00.000Z"}"# + "\n"
        }
        let data = Data(text.utf8)
        let copies = (24 << 20) / data.count + 1
        let handle = try #require(FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil)
        for _ in 0..<copies { handle.write(data) }
        try handle.close()
        let entries = Journal.entries(at: path)
        #expect(entries.count < 100_000 * copies / 2)
        #expect(entries.count > 0)
        _ = try Journal(path: path)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber
        #expect(size.intValue <= Journal.Rotation().keepBytes)
    }
}

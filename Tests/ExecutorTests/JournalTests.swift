import Executor
import Foundation
import HostModel
import Planner
import Testing

/// The journal: one synced JSON line before and after every action.
@Suite struct JournalTests {
    @Test func everyActionIsJournaledBeforeAndAfter() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
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
        #expect(entries.map { "\($0.event.rawValue) \($0.action.map(String.init) ?? "-")" } == [
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
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
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

import Foundation
import Testing

/// `xenplan apply` run as a user would, against copies of the committed simulated hosts.
@Suite struct ApplyCommandTests {
    @Test func exampleLabConvergesAndThePlanIsThenEmpty() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let before = try lab.snapshots()
        let result = try lab.apply()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Apply complete in "))
        #expect(result.stdout.contains(": 10 done, 0 failed, 0 skipped, 0 left out."))
        #expect(result.stderr.contains("  start   #4  cpt18  migrate   git       cpt18 → cpt76, live (pool san is shared)"))
        #expect(result.stderr.range(of: #"\n  done    #4  cpt18  migrate   git       \d+\.\d s\n"#, options: .regularExpression) != nil)
        #expect(try lab.planStatus() == 0)

        let after = try lab.snapshots()
        #expect(after["cpt18"]?.domains == ConvergedLab.cpt18Domains)
        #expect(after["cpt76"]?.domains == ConvergedLab.cpt76Domains)
        // git's configuration moved with it: managed on cpt76, gone from cpt18.
        #expect(after["cpt76"]?.configs.contains("git") == true)
        #expect(after["cpt18"]?.configs.contains("git") == false)
        // Volumes are kept (old-test's included); two new ones.
        for host in ["cpt18", "cpt76"] {
            #expect(after[host]!.volumes.isSuperset(of: before[host]!.volumes))
        }
        // A second apply has nothing to do.
        let again = try lab.apply()
        #expect(again.status == 0)
        #expect(again.stdout.hasSuffix("No changes. Nothing to apply.\n"))
        // The locks are gone.
        let left = try FileManager.default.contentsOfDirectory(atPath: lab.state.path).filter { $0.hasSuffix(".apply.lock") }
        #expect(left.isEmpty)
    }

    @Test func withoutATerminalAndWithoutAutoApproveNothingChanges() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        _ = try lab.run(["plan", "examples/lab"])  // creates the working copies
        let before = try lab.liveFiles()
        let result = try lab.run(["apply", "examples/lab"])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: apply needs a confirmation and standard input is not a terminal; review the plan with `xenplan plan`, then run `xenplan apply --auto-approve` (or save it with `xenplan plan --out FILE` and apply that file)\n"
        )
        #expect(try lab.liveFiles() == before)
        #expect(lab.journal().isEmpty)
    }

    @Test func maxDisruptionLeavesOutMigrationDestroyAndWhatDependsOnThem() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let result = try lab.apply(["--max-disruption", "live"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "! left out git       left out: migrate cpt18 → cpt76, live (pool san is shared) (class pause is above --max-disruption live)")
                || result.stdout.contains("left out: migrate cpt18 → cpt76"))
        #expect(result.stdout.contains(": 7 done, 0 failed, 0 skipped, 3 left out."))
        #expect(result.stdout.contains("  #0 destroy old-test on cpt18: class destroy is above --max-disruption live"))
        #expect(result.stdout.contains("  #5 config git on cpt76: depends on #4 migrate git, which is left out"))
        let after = try lab.snapshots()
        #expect(after["cpt18"]?.domains.contains("git") == true)
        #expect(after["cpt18"]?.domains.contains("old-test") == true)
        // What was left out is what the next plan shows.
        let plan = try lab.run(["plan", "examples/lab", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let kinds = (object["actions"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }.sorted()
        #expect(kinds == ["destroy", "migrate", "write-config"])
    }

    @Test func maxDisruptionNoneOnAConvergedLabHasNothingToDo() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        #expect(try lab.apply().status == 0)
        let result = try lab.apply(["--max-disruption", "none"])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("No changes. Nothing to apply.\n"))
    }

    @Test func jsonGivesOneObjectPerLineEndingWithTheSummary() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let result = try lab.apply(["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.first?["event"] as? String == "stream")
        #expect(objects.first?["version"] as? Int == 1)
        #expect(objects.dropFirst().first?["event"] as? String == "plan")
        #expect(objects.dropFirst().first?["actions"] as? Int == 10)
        #expect(objects.filter { $0["event"] as? String == "started" }.count == 10)
        #expect(objects.filter { $0["event"] as? String == "done" }.count == 10)
        let summary = try #require(objects.last)
        #expect(summary["event"] as? String == "summary")
        #expect(summary["succeeded"] as? Bool == true)
        #expect(summary["done"] as? Int == 10)
        let migrate = try #require(objects.first { $0["event"] as? String == "done" && $0["kind"] as? String == "migrate" })
        #expect(migrate["host"] as? String == "cpt18")
        #expect(migrate["targetHost"] as? String == "cpt76")
        #expect(migrate["domain"] as? String == "git")
        #expect(migrate["elapsedMs"] is Int)
    }

    @Test func theJournalRecordsEveryActionBeforeAndAfter() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        #expect(try lab.apply().status == 0)
        let entries = lab.journal()
        let events = entries.map { $0["event"] as? String ?? "?" }
        #expect(events.first == "run-started")
        #expect(events.last == "run-ended")
        #expect(events.filter { $0 == "started" }.count == 10)
        #expect(events.filter { $0 == "done" }.count == 10)
        for id in 0..<10 {
            let started = try #require(entries.firstIndex { $0["event"] as? String == "started" && $0["action"] as? Int == id })
            let done = try #require(entries.firstIndex { $0["event"] as? String == "done" && $0["action"] as? Int == id })
            #expect(started < done)
        }
        let path = lab.state.appendingPathComponent("journal.jsonl").path
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }

    @Test func invalidOptionsAreRefused() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let badClass = try lab.run(["apply", "examples/lab", "--max-disruption", "reboot"])
        #expect(badClass.status != 0)
        #expect(badClass.stderr.contains("--max-disruption"))
        let badParallelism = try lab.run(["apply", "examples/lab", "--parallelism", "0"])
        #expect(badParallelism.status != 0)
        #expect(badParallelism.stderr.contains("--parallelism must be at least 1, not 0"))
    }
}

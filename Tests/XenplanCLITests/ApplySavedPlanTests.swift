import Foundation
import Testing

/// `xenplan plan --out FILE`, then `xenplan apply FILE`.
@Suite struct ApplySavedPlanTests {
    @Test func aSavedPlanIsAppliedOnceAndConverges() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let file = lab.state.appendingPathComponent("lab.plan.json").path
        #expect(try lab.run(["plan", "examples/lab", "--out", file]).status == 0)
        let applied = try lab.run(["apply", file, "--auto-approve", "--allow-destroy"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains(": 10 done, 0 failed, 0 skipped, 0 left out."))
        #expect(try lab.planStatus() == 0)

        let again = try lab.run(["apply", file, "--auto-approve", "--allow-destroy"])
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("error: plan \(file) was already applied (run "))
        #expect(again.stderr.contains("a saved plan is applied at most once"))
    }

    @Test func aPlanMadeStaleByAnOutOfBandChangeIsRefusedAndNothingChanges() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let file = lab.state.appendingPathComponent("lab.plan.json").path
        #expect(try lab.run(["plan", "examples/lab", "--out", file]).status == 0)
        let change = try lab.run(["sim", "xl", "cpt18", "mem-set", "www", "768M"])
        #expect(change.status == 0, "\(change.stderr)")
        let before = try lab.liveFiles()

        let result = try lab.run(["apply", file, "--auto-approve"])
        #expect(result.status == 1)
        let manifests = Repository.path("examples/lab")
        // The planner's summaries spell the old size either way (1 GiB or 1024 MiB).
        let pattern =
            #"^error: stale plan: domain www on cpt18: memory target (1 GiB|1024 MiB) → 768 MiB since the plan was made\n"#
            + "Nothing was changed. Make a new plan: `xenplan plan \(manifests) --out \(file)`.\n$"
        #expect(result.stderr.range(of: pattern, options: .regularExpression) != nil, "\(result.stderr)")
        #expect(try lab.liveFiles() == before)
        #expect(lab.journal().isEmpty)
        // Refused is not applied: a fresh plan still has the work to do.
        #expect(try lab.planStatus() == 2)
    }

    @Test func planningFlagsHaveNoEffectOnASavedPlanAndAreRefused() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let file = lab.state.appendingPathComponent("lab.plan.json").path
        #expect(try lab.run(["plan", "examples/lab", "--out", file]).status == 0)
        let result = try lab.run(["apply", file, "--auto-approve", "--allow-restart"])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: the saved plan and this apply disagree on what is allowed: it was made without --allow-restart: make a new plan with it; nothing was changed\n"
        )
        let targeted = try lab.run(["apply", file, "--auto-approve", "--host", "cpt18"])
        #expect(targeted.status == 1)
        #expect(
            targeted.stderr
                == "error: --host shapes a new plan and has no effect on a saved one; give it to `xenplan plan --out`, or apply the directory\n")
    }

    @Test func aSavedPlanRecordsWhereItsManifestsAre() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let file = lab.state.appendingPathComponent("lab.plan.json").path
        #expect(try lab.run(["plan", "examples/lab", "--out", file]).status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any]
        #expect(object?["manifestDirectory"] as? String == Repository.path("examples/lab"))
    }
}

import Foundation
import Testing
import XenplanTestSupport

/// The ways a reconciler can harm a lab without being asked, each reproduced on the
/// example lab and its committed simulated hosts: targeting, a missing manifest file,
/// destroys, unreachable hosts, hand-edited saved plans.
@Suite struct SafetyTests {
    /// A copy of examples/lab that a test may change.
    static func copyOfExampleLab() throws -> URL {
        let dir = try TemporaryDirectory.create("lab")
        for name in try FileManager.default.contentsOfDirectory(atPath: Repository.path("examples/lab")) where name.hasSuffix(".yaml") {
            try FileManager.default.copyItem(atPath: Repository.path("examples/lab/\(name)"), toPath: dir.appendingPathComponent(name).path)
        }
        return dir
    }

    /// Every guest name with the hosts it is on: a name on two hosts is a split guest.
    static func placements(_ lab: ApplyLab) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for (host, snapshot) in try lab.snapshots() {
            for name in snapshot.domains { result[name, default: []].append(host) }
        }
        return result
    }

    @Test func targetingOneHostNeverStartsASecondCopyOfAGuestRunningOnAnother() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let plan = try lab.run(["plan", "examples/lab", "--host", "cpt76"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let drift = try lab.run(["drift", "examples/lab", "--host", "cpt76"])
        #expect(!drift.stdout.contains("teach1"), "\(drift.stdout)")
        #expect(!drift.stdout.contains("ldap"), "\(drift.stdout)")
        #expect(!plan.stdout.contains("+ create    git"))
        #expect(!plan.stdout.contains("teach1"))

        let applied = try lab.run(["apply", "examples/lab", "--host", "cpt76", "--auto-approve"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let placements = try Self.placements(lab)
        for (name, hosts) in placements { #expect(hosts.count == 1, "\(name) runs on \(hosts)") }
        // Only actions touching cpt76 ran: git moved in, ldap on cpt18 kept its memory.
        #expect(placements["git"] == ["cpt76"])
        #expect(placements["teach1"] == ["cpt18"])
        let status = try lab.run(["status", "examples/lab", "--host", "cpt18"])
        #expect(status.stdout.contains("ldap"))
        let rest = try lab.run(["plan", "examples/lab"])
        #expect(rest.stdout.contains("~ memory    ldap      256 MiB → 512 MiB"))
    }

    @Test func aManifestFileThatIsGoneIsSaidFirstAndAutoApproveDestroysNothing() throws {
        let lab = try ApplyLab()
        let dir = try Self.copyOfExampleLab()
        defer { lab.remove(); try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("web.yaml"))

        let plan = try lab.run(["plan", dir.path])
        #expect(plan.status == 0, "\(plan.stderr)")
        let lines = plan.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count > 2)
        #expect(
            lines[2]
                == "warning: web.yaml is gone: 4 guests it declared would be destroyed (git, origami, team-git, www); restore the file if it was not meant to go"
        )

        let before = try lab.snapshots()
        let applied = try lab.run(["apply", dir.path, "--auto-approve", "--allow-data-loss"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(
            applied.stdout.contains(
                "! excluded  www       left out: destroy managed by xenplan, no longer declared; volumes removed after it (--allow-data-loss): vg18/www-root, vg18/www-swap (destroying needs --allow-destroy"
            ))
        let after = try lab.snapshots()
        for host in ["cpt18", "cpt76"] {
            for name in before[host]!.domains where name != "tmpbox" {
                #expect(after[host]!.domains.contains(name) || name == "git", "\(name) was destroyed on \(host)")
            }
            #expect(before[host]!.volumes.subtracting(after[host]!.volumes).filter { !$0.hasSuffix("old-test-root") }.isEmpty)
        }
    }

    @Test func aDestroySaysTruthfullyWhetherItsVolumesGoToo() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let kept = try lab.run(["plan", "examples/lab"])
        #expect(kept.stdout.contains("- destroy   old-test  managed by xenplan, no longer declared; volumes kept: vg18/old-test-root  [destroy]"))
        let removed = try lab.run(["plan", "examples/lab", "--allow-data-loss"])
        #expect(
            removed.stdout.contains(
                "- destroy   old-test  managed by xenplan, no longer declared; volumes removed after it (--allow-data-loss): vg18/old-test-root  [destroy]"
            ))
        #expect(removed.stdout.contains("- rm-volume           vg18/old-test-root"))
    }

    @Test func autoApproveAloneNeverDestroysAndSaysWhatItLeft() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let applied = try lab.run(["apply", "examples/lab", "--auto-approve"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(
            applied.stdout.contains(
                "! excluded  old-test  left out: destroy managed by xenplan, no longer declared; volumes kept: vg18/old-test-root (destroying needs --allow-destroy (or answering yes to the question that lists it))"
            ))
        #expect(try lab.snapshot("cpt18").domains.contains("old-test"))
        let again = try lab.run(["apply", "examples/lab", "--auto-approve", "--allow-destroy"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try !lab.snapshot("cpt18").domains.contains("old-test"))
        #expect(try lab.planStatus() == 0)
    }

    @Test func aHostThatCannotBeObservedStopsTheCommandUnlessSkipped() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        try Data("{ not json".utf8).write(to: lab.state.appendingPathComponent("cpt76.live.json"))
        for command in [["plan", "examples/lab"], ["drift", "examples/lab"], ["apply", "examples/lab", "--auto-approve"]] {
            let result = try lab.run(command)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.hasPrefix("error: host cpt76: observe failed: "), "\(command): \(result.stderr)")
            #expect(result.stderr.hasSuffix("To go on without it: --skip-unreachable cpt76\n"), "\(command): \(result.stderr)")
        }
        let skipped = try lab.run(["plan", "examples/lab", "--skip-unreachable", "cpt76"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("Not observed: cpt76 ("))
        #expect(
            skipped.stdout.contains(
                "  ! unknown   conf-web  conf-web may be running on cpt76, which was not observed (cannot read simulated host file "))
        #expect(skipped.stdout.contains("  ! unknown   teach3    teach3 may be running on cpt76, which was not observed"))
        #expect(skipped.stdout.contains("N+1: not checked: host cpt76 was not observed."))
        #expect(!skipped.stdout.contains("+ create    teach3"), "teach3 has no host and a san disk: it may run on cpt76")
        #expect(!skipped.stdout.contains("→ migrate"))
        #expect(
            skipped.stdout.contains(
                "! blocked   git       git is declared on cpt76 but runs on cpt18 and cannot move live: host cpt76 was not observed; it stays on cpt18"
            ))
    }

    @Test func aHandEditedSavedPlanIsNeverCarriedOut() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let file = lab.state.appendingPathComponent("plan.json")
        let saved = try lab.run(["plan", "examples/lab", "--out", file.path])
        #expect(saved.status == 0, "\(saved.stderr)")
        let original = try String(contentsOf: file, encoding: .utf8)

        // A destroy relabelled as harmless; then the same plan with two actions swapped.
        let relabelled = original.replacingOccurrences(of: #""disruption" : "destroy""#, with: #""disruption" : "none""#)
        #expect(relabelled != original)
        try relabelled.write(to: file, atomically: true, encoding: .utf8)
        let before = try lab.liveFiles()
        let refused = try lab.run(["apply", file.path, "--auto-approve", "--allow-destroy", "--max-disruption", "none"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.hasPrefix(
                "error: stale plan: action #0 is destroy old-test on cpt18 [none] in the saved plan, but destroy old-test on cpt18 [destroy] in a plan made now; nothing was changed"
            ), "\(refused.stderr)")
        #expect(try lab.liveFiles() == before)

        let edited = original.replacingOccurrences(of: #""timeoutSeconds" : 120"#, with: #""timeoutSeconds" : 1"#)
        #expect(edited != original)
        try edited.write(to: file, atomically: true, encoding: .utf8)
        let operations = try lab.run(["apply", file.path, "--auto-approve", "--allow-destroy"])
        #expect(operations.status == 1)
        #expect(
            operations.stderr.hasPrefix(
                "error: stale plan: action #0 destroy old-test on cpt18 [destroy] would perform other operations than a plan made now does"),
            "\(operations.stderr)")

        var object = try #require(try JSONSerialization.jsonObject(with: Data(original.utf8)) as? [String: Any])
        var actions = try #require(object["actions"] as? [[String: Any]])
        actions.swapAt(0, 1)
        object["actions"] = actions
        try JSONSerialization.data(withJSONObject: object).write(to: file)
        let reordered = try lab.run(["apply", file.path, "--auto-approve", "--allow-destroy"])
        #expect(reordered.status == 1)
        #expect(reordered.stderr.hasPrefix("error: stale plan: action #0 is create-volume "), "\(reordered.stderr)")
        #expect(try lab.liveFiles() == before)
    }

    @Test func aSavedPlanNeedsTheFlagsItWasMadeWith() throws {
        let lab = try ApplyLab()
        defer { lab.remove() }
        let file = lab.state.appendingPathComponent("plan.json")
        #expect(try lab.run(["plan", "examples/lab", "--allow-data-loss", "--out", file.path]).status == 0)
        let without = try lab.run(["apply", file.path, "--auto-approve", "--allow-destroy"])
        #expect(without.status == 1)
        #expect(
            without.stderr
                == "error: the saved plan and this apply disagree on what is allowed: it was made with --allow-data-loss: give it to apply too, to allow what it does; nothing was changed\n"
        )
        let with = try lab.run(["apply", file.path, "--auto-approve", "--allow-destroy", "--allow-data-loss"])
        #expect(with.status == 0, "\(with.stderr)")
        #expect(try !lab.snapshot("cpt18").volumes.contains("vg18/old-test-root"))
    }

    @Test func aPlanOfAnotherLabIsRefused() throws {
        let lab = try ApplyLab()
        let dir = try Self.copyOfExampleLab()
        defer { lab.remove(); try? FileManager.default.removeItem(at: dir) }
        let file = lab.state.appendingPathComponent("plan.json")
        #expect(try lab.run(["plan", "examples/lab", "--out", file.path]).status == 0)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        object["manifestDirectory"] = dir.path
        try String(contentsOf: dir.appendingPathComponent("teaching.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "memory: 1G", with: "memory: 768M")
            .write(to: dir.appendingPathComponent("teaching.yaml"), atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: object).write(to: file)
        let refused = try lab.run(["apply", file.path, "--auto-approve"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.hasPrefix(
                "error: plan \(file.path) was made from other manifests than those there now; nothing was changed. Make a new plan: `xenplan plan \(dir.path) --out \(file.path)`."
            ), "\(refused.stderr)")
    }
}

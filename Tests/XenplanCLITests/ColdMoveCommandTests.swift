import Foundation
import SimDriver
import Testing
import XenplanTestSupport

/// A guest on its host's local storage declared on the other host moves cold through the
/// binary: the plan shows one action under both hosts, the apply leaves the guest on the
/// target only with copies of its volumes, and the old volumes stay until data loss is allowed.
@Suite struct ColdMoveCommandTests {
    /// The example lab with www (two disks on cpt18's local pool, no pool named) declared
    /// on cpt76: its disks are then on cpt76's local pool.
    static func wwwOnCpt76() throws -> URL {
        let dir = try SafetyTests.copyOfExampleLab()
        let web = dir.appendingPathComponent("web.yaml")
        let text = try String(contentsOf: web, encoding: .utf8)
        try text.replacingOccurrences(of: "  www:\n    host: cpt18", with: "  www:\n    host: cpt76").write(
            to: web, atomically: true, encoding: .utf8)
        return dir
    }

    /// The host as the simulator has it: its working copy, else (nothing applied yet: a
    /// plan writes nothing) its committed seed.
    static func file(_ lab: ApplyLab, _ host: String) throws -> SimHostFile {
        let live = lab.state.appendingPathComponent("\(host).live.json")
        let url = FileManager.default.fileExists(atPath: live.path) ? live : lab.state.appendingPathComponent("\(host).sim.json")
        return try SimHostFile.decode(Data(contentsOf: url))
    }

    @Test func wwwMovesColdOnceRestartsAreAllowed() throws {
        let lab = try ApplyLab()
        let dir = try Self.wwwOnCpt76()
        defer { lab.remove(); try? FileManager.default.removeItem(at: dir) }
        let gated = try lab.run(["plan", dir.path])
        #expect(
            gated.stdout.contains(
                "  ! blocked   www       www is declared on cpt76 but runs on cpt18 and cannot move live: disk xvda2 is on pool cpt18-local, which is not shared; "
                    + "disk xvda1 is on pool cpt18-local, which is not shared; it stays on cpt18: a cold move (shut down, copy its volumes to cpt76, start there) "
                    + "needs restart: allowed or --allow-restart"), "\(gated.stdout)")

        let plan = try lab.run(["plan", dir.path, "--allow-restart"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(
            plan.stdout.contains(
                "  → move      www       cpt18 → cpt76, cold: shut down, copy 2 volumes (21 GiB) over ssh, start on cpt76  [restart]\n"
                    + "      why: declared on cpt76, runs on cpt18; pool cpt18-local is not reached by cpt76 (--allow-restart); the old volumes are kept on cpt18"
            ), "\(plan.stdout)")
        #expect(plan.stdout.contains("  → move      www       arrives from cpt18, cold (its volumes copied here)  [restart]\n"))
        #expect(
            plan.stdout.contains(
                "  ! orphan    www       volume vg18/www-root (20 GiB) is no longer used by any declared disk (was disk xvda2 of www, copied to cpt76): kept; --allow-data-loss removes it"
            ))
        #expect(plan.stdout.contains("1 to move cold"))

        let held = try Self.file(lab, "cpt18").content(container: "vg18", volume: "www-root")
        let applied = try lab.run(["apply", dir.path, "--auto-approve", "--allow-restart", "--allow-destroy"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stderr.contains("  done    #7  cpt18  move      www       "), "\(applied.stderr)")
        let placements = try SafetyTests.placements(lab)
        #expect(placements["www"] == ["cpt76"])
        let cpt76 = try Self.file(lab, "cpt76")
        #expect(cpt76.content(container: "vg76", volume: "www-root") == held)
        #expect(cpt76.storage["vg76"]?.owned.contains("www-root") == true)
        #expect(try lab.snapshot("cpt18").volumes.isSuperset(of: ["vg18/www-root", "vg18/www-swap"]))

        let again = try lab.run(["plan", dir.path, "--allow-restart", "--detailed-exitcode"])
        #expect(again.status == 0, "\(again.stdout)")
        #expect(
            again.stdout.contains(
                "  ! orphan              volume vg18/www-root (20 GiB) is no longer used by any declared disk (created by xenplan): kept; --allow-data-loss removes it"
            ))
        let cleaned = try lab.run(["apply", dir.path, "--auto-approve", "--allow-data-loss"])
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(try !lab.snapshot("cpt18").volumes.contains("vg18/www-root"))
        #expect(try lab.snapshot("cpt76").volumes.isSuperset(of: ["vg76/www-root", "vg76/www-swap"]))
    }

    /// A copy that fails leaves the guest stopped on its host, a partial volume on the
    /// target; the next plan removes that leftover and moves it again.
    @Test func aFailedCopyIsTakenUpByTheNextApply() throws {
        let lab = try ApplyLab()
        let dir = try Self.wwwOnCpt76()
        defer { lab.remove(); try? FileManager.default.removeItem(at: dir) }
        #expect(try lab.run(["sim", "fail", "cpt18", "send-volume"]).status == 0)
        let failed = try lab.run(["apply", dir.path, "--auto-approve", "--allow-restart", "--allow-destroy"])
        #expect(failed.status != 0)
        #expect(failed.stdout.contains("send-volume: simulated failure of send-volume"), "\(failed.stdout)")
        #expect(try SafetyTests.placements(lab)["www"] == nil)
        #expect(try lab.snapshot("cpt76").volumes.contains("vg76/www-root_partial"))

        let next = try lab.run(["plan", dir.path, "--allow-restart"])
        #expect(next.stdout.contains("  - rm-volume           vg76/www-root_partial 20 GiB, a leftover  [none]"), "\(next.stdout)")
        #expect(next.stdout.contains("  → move      www       cpt18 → cpt76, cold: copy 2 volumes (21 GiB) over ssh, start on cpt76  [restart]"))
        let finished = try lab.run(["apply", dir.path, "--auto-approve", "--allow-restart"])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try SafetyTests.placements(lab)["www"] == ["cpt76"])
        #expect(try !lab.snapshot("cpt76").volumes.contains("vg76/www-root_partial"))
    }
}

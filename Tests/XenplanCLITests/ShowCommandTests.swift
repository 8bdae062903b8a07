import Foundation
import Testing

@Suite struct ShowCommandTests {
    /// `show` prints a saved plan exactly as `plan` printed it (after a heading naming the
    /// file, its manifests and flags), and contacts no host: it works without the state.
    @Test func aSavedPlanLooksAsPlanShowedIt() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let file = state.appendingPathComponent("p.json").path
        let plan = try Binary.run(["plan", "examples/lab", "--state-dir", state.path, "--allow-data-loss", "--out", file])
        #expect(plan.status == 0, "\(plan.stderr)")
        let saved = try Data(contentsOf: URL(fileURLWithPath: file))
        try FileManager.default.removeItem(at: state.appendingPathComponent("cpt18.sim.json"))
        let show = try Binary.run(["show", file])
        #expect(show.status == 0, "\(show.stderr)")
        let planBody = plan.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).dropLast(2)
        let showBody = show.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(3).dropLast(2)
        #expect(Array(showBody) == Array(planBody))
        let lines = show.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("Plan \(file), made from \(FileManager.default.currentDirectoryPath)/examples/lab (manifests "))
        #expect(lines[1] == "Made with --allow-data-loss")
        #expect(lines.last == "Apply it with `xenplan apply \(file)` (checked against the hosts first: a stale plan is refused).")
        let json = try Binary.run(["show", file, "--json"])
        #expect(json.stdout == String(decoding: saved, as: UTF8.self) + "\n")
    }

    @Test func aFileThatIsNoPlanIsRefusedByName() throws {
        let show = try Binary.run(["show", "examples/lab/hosts.yaml"])
        #expect(show.status == 1)
        #expect(show.stdout == "")
        #expect(show.stderr.hasPrefix("error: examples/lab/hosts.yaml"))
    }
}

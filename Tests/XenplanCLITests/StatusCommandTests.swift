import Foundation
import Testing

@Suite struct StatusCommandTests {
    @Test func statusListsEveryHostAndDomainWithoutColour() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["status", "examples/lab", "--state-dir", state.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("\u{1B}["))
        let golden = Repository.root.appendingPathComponent("Tests/XenplanCLITests/Golden/example-lab-status.txt")
        let output = PlanCommandTests.normalised(result.stdout)
        if Repository.recording {
            try output.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        #expect(output == (try String(contentsOf: golden, encoding: .utf8)))
    }
}

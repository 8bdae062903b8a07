import Foundation
import Testing
import XenplanTestSupport

@Suite struct StatusCommandTests {
    @Test func statusListsEveryHostAndDomainWithoutColour() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["status", "examples/lab", "--state-dir", state.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("\u{1B}["))
        let golden = Repository.root.appendingPathComponent("Tests/XenplanCLITests/Golden/example-lab-status.txt")
        let output = PlanCommandTests.normalised(result.stdout)
        #expect(output == (try Snapshot.expected(output, at: golden)))
    }
}

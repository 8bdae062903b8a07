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

@Suite struct StatusJSONTests {
    /// The same figures as the text, typed: per host its capacity and use, per guest its
    /// state, memory and vCPUs; `--host` narrows what is printed.
    @Test func statusAsJSONMatchesTheGolden() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["status", "examples/lab", "--state-dir", state.path, "--json", "--host", "cpt76"])
        #expect(result.status == 0, "\(result.stderr)")
        let golden = Repository.root.appendingPathComponent("Tests/XenplanCLITests/Golden/example-lab-status-cpt76.json")
        #expect(result.stdout == (try Snapshot.expected(result.stdout, at: golden)))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let hosts = try #require(object["hosts"] as? [[String: Any]])
        #expect(hosts.map { $0["name"] as? String } == ["cpt76"])
        let guests = try #require(hosts.first?["guests"] as? [[String: Any]])
        #expect(guests.first { $0["name"] as? String == "tmpbox" }?["managed"] as? Bool == false)
    }
}

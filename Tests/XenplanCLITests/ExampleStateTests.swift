import Foundation
import Testing
import XenplanTestSupport

/// The committed `state/` seeds are exactly what `ExampleLabHistory` produces.
/// `RECORD_SNAPSHOTS=1 swift test --filter ExampleStateTests` rewrites them.
@Suite struct ExampleStateTests {
    @Test func committedSeedsMatchTheirHistory() async throws {
        let directory = try TemporaryDirectory.create("seed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let seeds = try await ExampleLabHistory.generate(in: directory)
        #expect(seeds.keys.sorted() == ["cpt18", "cpt76"])
        for (host, data) in seeds {
            let committed = Repository.root.appendingPathComponent("state/\(host).sim.json")
            #expect(
                try Snapshot.expected(data, at: committed) == data,
                "state/\(host).sim.json differs from ExampleLabHistory; re-record with RECORD_SNAPSHOTS=1")
        }
    }
}

import Foundation
import Testing

/// The committed `state/` seeds are exactly what `ExampleLabHistory` produces.
/// `RECORD_SNAPSHOTS=1 swift test --filter ExampleStateTests` rewrites them.
@Suite struct ExampleStateTests {
    @Test func committedSeedsMatchTheirHistory() async throws {
        let directory = try Repository.temporaryDirectory("seed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let seeds = try await ExampleLabHistory.generate(in: directory)
        #expect(seeds.keys.sorted() == ["cpt18", "cpt76"])
        for (host, data) in seeds {
            let committed = Repository.root.appendingPathComponent("state/\(host).sim.json")
            if Repository.recording {
                try data.write(to: committed)
                continue
            }
            let existing = try Data(contentsOf: committed)
            #expect(existing == data, "state/\(host).sim.json differs from ExampleLabHistory; re-record with RECORD_SNAPSHOTS=1")
        }
    }
}

import Foundation
import XenplanTestSupport

/// Paths inside the repository, found from this file's location so that tests run
/// from any working directory.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// A copy of the committed `state/` seeds in a temporary directory, so that tests
    /// never touch the repository's working copies.
    static func copyOfCommittedState() throws -> URL {
        let dir = try TemporaryDirectory.create("state")
        let source = root.appendingPathComponent("state")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".sim.json") {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return dir
    }
}

import Foundation

/// Paths inside the repository, found from this file's location so that tests run
/// from any working directory.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }

    /// A fresh temporary directory, removed by the caller with `cleanup`.
    static func temporaryDirectory(_ label: String = "xenplan") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of the committed `state/` seeds in a temporary directory, so that tests
    /// never touch the repository's working copies.
    static func copyOfCommittedState() throws -> URL {
        let dir = try temporaryDirectory("state")
        let source = root.appendingPathComponent("state")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".sim.json") {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return dir
    }
}

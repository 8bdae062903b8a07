import Foundation

@testable import XenDriver

/// Paths of this target's fixtures, found from this file's location so that tests run
/// from any working directory.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let repository = root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    static func text(_ relative: String) throws -> String { try String(contentsOf: url(relative), encoding: .utf8) }
}

/// One xenstore server per test, each with its own socket. `XENSTORED_PATH` is process
/// wide, so pointing it at a server and opening libxenstore's connection happen under
/// one lock: tests running in parallel never connect to each other's server.
enum XenstoreHarness {
    private static let lock = NSLock()

    static func start(tree: XenstoreTree) throws -> (TestXenstored, XenStore) {
        let server = try TestXenstored(tree: tree)
        let store = try lock.withLock {
            setenv("XENSTORED_PATH", server.socketPath, 1)
            return try XenStore()
        }
        return (server, store)
    }

    static func cpt18() throws -> (TestXenstored, XenStore) {
        try start(tree: XenstoreTree.parse(lsFull: try Fixtures.text("xenstore/cpt18.tree")))
    }
}

import Foundation
import HostModel
import Testing
import XenplanTestSupport

/// A lock kept in a directory of its own: the directory is made private when missing,
/// and every change happens under the guard file's `flock`.
@Suite struct DirectoryHostLockTests {
    struct Failed: Error, Equatable {
        var what: String
    }

    let parent: URL
    let directory: String
    let lock: DirectoryHostLock

    init() throws {
        parent = try TemporaryDirectory.create("directory-lock")
        directory = parent.appendingPathComponent("run").path
        lock = DirectoryHostLock(host: "cpt18", directory: directory, recordName: "cpt18.lock", guardName: ".cpt18.guard") {
            Failed(what: $0)
        }
    }

    func mode(_ path: String) throws -> Int? {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    @Test func theDirectoryAndItsGuardArePrivate() async throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        #expect(lock.recordPath == "\(directory)/cpt18.lock")
        #expect(lock.guardPath == "\(directory)/.cpt18.guard")
        #expect(try await lock.lockHolder() == nil)
        #expect(try mode(directory) == 0o700)
        #expect(try mode(lock.guardPath) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [".cpt18.guard"])
    }

    @Test func takenReleasedNowAndBroken() async throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        try await lock.acquireLock(for: Fixture.lockRecord(100), replacing: nil)
        #expect(try await lock.lockHolder() == Fixture.lockRecord(100))
        try lock.releaseLockNow(of: Fixture.lockRecord(100))
        #expect(try await lock.lockHolder() == nil)
        try await lock.acquireLock(for: Fixture.lockRecord(200), replacing: nil)
        #expect(try await lock.breakLock() == Fixture.lockRecord(200))
        #expect(try await lock.lockHolder() == nil)
    }

    @Test func aDirectoryThatCannotBeMadeIsReportedInTheCallersWords() async throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let blocker = parent.appendingPathComponent("file").path
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data()))
        let lock = DirectoryHostLock(
            host: "cpt18", directory: blocker + "/run", recordName: "cpt18.lock",
            guardName: ".cpt18.guard"
        ) { Failed(what: $0) }
        await #expect(throws: Failed(what: "create \(blocker)/run")) { try await lock.lockHolder() }
    }
}

import Foundation
import HostModel
import Testing
import XenplanTestSupport

/// The apply lock's record on disk: taken only when absent, replaced in one step only
/// when the stale holder is named, released only by its holder, broken by anyone.
@Suite struct LockRecordFileTests {
    struct Failed: Error, Equatable {
        var what: String
    }

    let directory: URL
    let file: LockRecordFile

    init() throws {
        directory = try TemporaryDirectory.create("lock-record")
        file = LockRecordFile(path: directory.appendingPathComponent("cpt18.lock").path, host: "cpt18") { Failed(what: $0) }
    }

    func text() throws -> String { try String(contentsOfFile: file.path, encoding: .utf8) }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    @Test func noRecordIsNoHolder() throws {
        defer { remove() }
        #expect(try file.read() == nil)
    }

    @Test func theRecordIsSortedJSONOnOneLineReadableOnlyByItsOwner() throws {
        defer { remove() }
        try file.acquire(for: Fixture.lockRecord(100), replacing: nil)
        #expect(
            try text()
                == #"{"bootID":"0b5e1d6a-3f1c-4c3e-9a57-6c1f0e2d9b11","command":"xenplan apply","machine":"box","machineID":"5f0c2a8e9d3b4c7a8e1f2a3b4c5d6e7f","pid":100,"pidNamespace":4026531836,"runID":"r1","startTime":1000,"time":"2026-12-01T10:00:00Z","user":"root"}"#
                + "\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try file.read() == Fixture.lockRecord(100))
    }

    @Test func aSecondTakerIsToldWhoHoldsIt() throws {
        defer { remove() }
        try file.acquire(for: Fixture.lockRecord(100), replacing: nil)
        #expect(throws: HostLockHeld(host: "cpt18", holder: Fixture.lockRecord(100))) {
            try file.acquire(for: Fixture.lockRecord(200), replacing: nil)
        }
        #expect(throws: HostLockHeld(host: "cpt18", holder: Fixture.lockRecord(100))) {
            try file.acquire(for: Fixture.lockRecord(200), replacing: Fixture.lockRecord(999))
        }
        #expect(try file.read() == Fixture.lockRecord(100))
    }

    @Test func aNamedStaleHolderIsReplacedLeavingNoTemporaryFile() throws {
        defer { remove() }
        try file.acquire(for: Fixture.lockRecord(100), replacing: nil)
        try file.acquire(for: Fixture.lockRecord(200, run: "r2"), replacing: Fixture.lockRecord(100))
        #expect(try file.read() == Fixture.lockRecord(200, run: "r2"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["cpt18.lock"])
    }

    @Test func onlyTheHolderReleases() throws {
        defer { remove() }
        try file.release(of: Fixture.lockRecord(100))
        try file.acquire(for: Fixture.lockRecord(100), replacing: nil)
        try file.release(of: Fixture.lockRecord(200))
        #expect(try file.read() == Fixture.lockRecord(100))
        try file.release(of: Fixture.lockRecord(100))
        #expect(try file.read() == nil)
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func breakingRemovesAnyRecordAndSaysWhoseItWas() throws {
        defer { remove() }
        #expect(try file.breakLock() == nil)
        try file.acquire(for: Fixture.lockRecord(100), replacing: nil)
        #expect(try file.breakLock() == Fixture.lockRecord(100))
        #expect(try file.read() == nil)
    }

    @Test func anUnreadableRecordNamesTheWayOutAndIsBrokenLikeAnyOther() throws {
        defer { remove() }
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data("{not json".utf8)))
        let error = #expect(throws: LockRecordUnreadable.self) { try file.read() }
        #expect(error?.path == file.path)
        #expect(error?.host == "cpt18")
        #expect(error?.description.hasPrefix("lock record \(file.path) of host cpt18 is unreadable (") == true)
        #expect(error?.description.hasSuffix("); remove it with `xenplan unlock cpt18`") == true)
        #expect(throws: LockRecordUnreadable.self) { try file.acquire(for: Fixture.lockRecord(100), replacing: nil) }
        #expect(try file.breakLock() == nil)
        #expect(try file.read() == nil)
    }

    @Test func aFailedCallIsReportedInTheCallersWords() throws {
        defer { remove() }
        let missing = directory.appendingPathComponent("missing/cpt18.lock").path
        let file = LockRecordFile(path: missing, host: "cpt18") { Failed(what: $0) }
        #expect(throws: Failed(what: "create \(missing)")) { try file.acquire(for: Fixture.lockRecord(100), replacing: nil) }
    }
}

import Foundation
import HostModel
import Testing
@testable import XenDriver

/// The apply lock of a dom0, in a temporary directory instead of /run/xenplan.
@Suite struct LockTests {
    static func record(_ pid: Int32, run: String = "r1") -> LockRecord {
        LockRecord(user: "root", machine: "admin", pid: pid, time: "2026-12-01T10:00:00Z", command: "xenplan apply", runID: run)
    }

    static func directory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("locks-\(UUID().uuidString)")
        return url.path
    }

    @Test func secondTakerIsToldWhoHoldsIt() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try XenDriver.acquireLock(directory: dir, host: "a", for: Self.record(100), replacing: nil)
        #expect(throws: HostLockHeld(host: "a", holder: Self.record(100))) {
            try XenDriver.acquireLock(directory: dir, host: "a", for: Self.record(200), replacing: nil)
        }
        #expect(try XenDriver.lockHolder(directory: dir, host: "a") == Self.record(100))
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(dir)/a.lock")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func aStaleHolderIsReplacedOnlyWhenNamed() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try XenDriver.acquireLock(directory: dir, host: "a", for: Self.record(100), replacing: nil)
        // Naming another record than the holder's does not take it.
        #expect(throws: HostLockHeld.self) {
            try XenDriver.acquireLock(directory: dir, host: "a", for: Self.record(300), replacing: Self.record(999))
        }
        try XenDriver.acquireLock(directory: dir, host: "a", for: Self.record(300), replacing: Self.record(100))
        #expect(try XenDriver.lockHolder(directory: dir, host: "a") == Self.record(300))
    }

    @Test func releaseOnlyByTheHolderAndBreakByAnyone() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try XenDriver.acquireLock(directory: dir, host: "a", for: Self.record(100), replacing: nil)
        try XenDriver.releaseLock(directory: dir, host: "a", of: Self.record(200))
        #expect(try XenDriver.lockHolder(directory: dir, host: "a") == Self.record(100))
        #expect(try XenDriver.breakLock(directory: dir, host: "a") == Self.record(100))
        #expect(try XenDriver.lockHolder(directory: dir, host: "a") == nil)
    }

    @Test func anUnreadableRecordNamesTheWayOut() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(dir)/a.lock", contents: Data("{not json".utf8))
        #expect {
            try XenDriver.lockHolder(directory: dir, host: "a")
        } throws: { error in
            "\(error)".hasSuffix("remove it with `xenplan unlock a`")
        }
        #expect(try XenDriver.breakLock(directory: dir, host: "a") == nil)
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/a.lock"))
    }
}

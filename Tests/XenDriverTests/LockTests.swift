import Foundation
import HostModel
import Testing
import XenplanTestSupport

@testable import XenDriver

/// The apply lock of a dom0, in a temporary directory instead of /run/xenplan.
@Suite struct LockTests {
    static func record(_ pid: Int32, run: String = "r1") -> LockRecord {
        Fixture.lockRecord(pid, machine: "admin", run: run, start: 123_456)
    }

    let dir = TemporaryDirectory.unusedURL("locks").path
    var lock: DirectoryHostLock { XenDriver.lock(directory: dir, host: "a") }

    @Test func secondTakerIsToldWhoHoldsIt() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await lock.acquireLock(for: Self.record(100), replacing: nil)
        await #expect(throws: HostLockHeld(host: "a", holder: Self.record(100))) {
            try await lock.acquireLock(for: Self.record(200), replacing: nil)
        }
        #expect(try await lock.lockHolder() == Self.record(100))
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(dir)/a.lock")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(lock.recordPath == "\(dir)/a.lock")
        #expect(lock.guardPath == "\(dir)/.a.guard")
    }

    /// Every identifying field reaches the file and comes back: the staleness judgement
    /// of the next apply reads exactly what this one wrote.
    @Test func theRecordOnDiskCarriesBootNamespaceAndStartTime() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await lock.acquireLock(for: Self.record(100), replacing: nil)
        let text = try String(contentsOfFile: "\(dir)/a.lock", encoding: .utf8)
        #expect(
            text
                == #"{"bootID":"0b5e1d6a-3f1c-4c3e-9a57-6c1f0e2d9b11","command":"xenplan apply","machine":"admin","machineID":"5f0c2a8e9d3b4c7a8e1f2a3b4c5d6e7f","pid":100,"pidNamespace":4026531836,"runID":"r1","startTime":123456,"time":"2026-12-01T10:00:00Z","user":"root"}"#
                + "\n")
    }

    @Test func aRecordOfAnOlderXenplanIsReadWithoutItsIdentity() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let old = #"{"command":"xenplan apply","machine":"admin","pid":4242,"runID":"r","time":"2026-12-01T10:00:00Z","user":"root"}"#
        _ = FileManager.default.createFile(atPath: "\(dir)/a.lock", contents: Data(old.utf8))
        let holder = try #require(try await lock.lockHolder())
        #expect(
            holder
                == LockRecord(
                    user: "root", machine: "admin", pid: 4242, time: "2026-12-01T10:00:00Z",
                    command: "xenplan apply", runID: "r"))
        #expect(!holder.identifiesItsProcess)
    }

    @Test func aStaleHolderIsReplacedOnlyWhenNamed() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await lock.acquireLock(for: Self.record(100), replacing: nil)
        // Naming another record than the holder's does not take it.
        await #expect(throws: HostLockHeld.self) {
            try await lock.acquireLock(for: Self.record(300), replacing: Self.record(999))
        }
        try await lock.acquireLock(for: Self.record(300), replacing: Self.record(100))
        #expect(try await lock.lockHolder() == Self.record(300))
    }

    @Test func releaseOnlyByTheHolderAndBreakByAnyone() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await lock.acquireLock(for: Self.record(100), replacing: nil)
        try await lock.releaseLock(of: Self.record(200))
        #expect(try await lock.lockHolder() == Self.record(100))
        #expect(try await lock.breakLock() == Self.record(100))
        #expect(try await lock.lockHolder() == nil)
    }

    @Test func anUnreadableRecordNamesTheWayOut() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(dir)/a.lock", contents: Data("{not json".utf8))
        await #expect {
            try await lock.lockHolder()
        } throws: { error in
            "\(error)".hasSuffix("remove it with `xenplan unlock a`")
        }
        #expect(try await lock.breakLock() == nil)
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/a.lock"))
    }
}

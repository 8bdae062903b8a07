import Executor
import Foundation
import HostModel
import SimDriver
import Testing

/// The apply lock through the simulated host's `HostLocking`.
@Suite struct HostLocksTests {
    let directory: URL
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("locks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func owner(_ pid: Int32, machine: String = "box", run: String = "r1") -> LockRecord {
        LockRecord(user: "root", machine: machine, pid: pid, time: "2026-12-01T10:00:00Z", command: "xenplan apply", runID: run)
    }

    func drivers() -> [SimDriver] { ["cpt18", "cpt76"].map { SimDriver(stateDirectory: directory, host: $0, speed: 0) } }

    @Test func lockIsARecordBesideTheHostAndIsReleased() async throws {
        let (locks, takeOvers) = try await HostLocks.acquire(drivers(), owner: owner(4242))
        #expect(takeOvers.isEmpty)
        #expect(locks.hosts == ["cpt18", "cpt76"])
        let path = directory.appendingPathComponent("cpt18.apply.lock").path
        let record = try JSONDecoder().decode(LockRecord.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(record == owner(4242))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(await locks.releaseAll().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aSecondApplyStopsAtOnceNamingTheHolderAndKeepsNothing() async throws {
        let (first, _) = try await HostLocks.acquire([drivers()[1]], owner: owner(4242))
        do {
            _ = try await HostLocks.acquire(drivers(), owner: owner(5555, run: "r2"), isAlive: { _ in true })
            Issue.record("the second apply took a held lock")
        } catch {
            guard case let .held(held) = error else { Issue.record("\(error)"); return }
            #expect(held.description == "host cpt76 is locked by root@box pid 4242 since 2026-12-01T10:00:00Z (xenplan apply)")
        }
        // cpt18 was taken first (name order) and given back when cpt76 was found held.
        #expect(try await drivers()[0].lockHolder() == nil)
        #expect(try await drivers()[1].lockHolder() == owner(4242))
        await first.releaseAll()
    }

    @Test func aLockWhoseProcessDiedOnThisMachineIsTakenOver() async throws {
        _ = try await HostLocks.acquire([drivers()[0]], owner: owner(4242))
        let (locks, takeOvers) = try await HostLocks.acquire(drivers(), owner: owner(5555, run: "r2"), isAlive: { $0.pid != 4242 })
        #expect(takeOvers == [HostLocks.TakeOver(host: "cpt18", previous: owner(4242))])
        #expect(try await drivers()[0].lockHolder() == owner(5555, run: "r2"))
        await locks.releaseAll()
    }

    @Test func aLockHeldFromAnotherMachineIsNeverTakenOver() async throws {
        _ = try await HostLocks.acquire([drivers()[0]], owner: owner(4242, machine: "other"))
        await #expect(throws: HostLocks.Failure.self) {
            _ = try await HostLocks.acquire(drivers(), owner: owner(5555, run: "r2"), isAlive: { _ in false })
        }
    }

    @Test func onlyTheHolderReleasesButUnlockRemovesAnyLock() async throws {
        let driver = drivers()[0]
        try await driver.acquireLock(for: owner(4242), replacing: nil)
        try await driver.releaseLock(of: owner(5555))
        #expect(try await driver.lockHolder() == owner(4242))
        #expect(try await driver.breakLock() == owner(4242))
        #expect(try await driver.lockHolder() == nil)
        #expect(try await driver.breakLock() == nil)
    }

    @Test func replacingAStaleRecordFailsIfSomeoneElseGotThereFirst() async throws {
        let driver = drivers()[0]
        try await driver.acquireLock(for: owner(1), replacing: nil)
        await #expect(throws: HostLockHeld.self) { try await driver.acquireLock(for: owner(3), replacing: owner(2)) }
        #expect(try await driver.lockHolder() == owner(1))
    }

    @Test func deadProcessIsDetectedWithKill() {
        #expect(HostLocks.processIsAlive(owner(getpid())))
        // Above the kernel's pid_max: no such process.
        #expect(!HostLocks.processIsAlive(owner(Int32.max - 1)))
    }
}

import Foundation
import HostModel
import Synchronization
import Testing
import XenplanBasics

@testable import SimDriver

#if canImport(Glibc)
    import Glibc
#endif

/// Operations that arrive while a host's file is being written are applied together and
/// written once; none returns before the file holding its effect is on disk.
@Suite struct CommitBatchTests {
    /// Holds a host's lock as another process would, until `release`.
    final class ForeignLock {
        let fd: Int32
        init(_ path: String) {
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            _ = flock(fd, LOCK_EX)
        }
        func release() {
            _ = flock(fd, LOCK_UN)
            close(fd)
        }
    }

    @Test func operationsArrivingDuringAWriteShareTheNextOne() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        let committer = SimCommitter.shared(for: fx.directory)
        let before = committer.statistics
        // The first batch waits for the lock another process holds; eight more volumes
        // are asked for meanwhile.
        let held = ForeignLock(fx.store.lockURL("cpt18").path)
        let first = Task { try await driver.perform(.createVolume(container: "vg18", name: "v0", size: .gib(1))) }
        // Until the first batch is taken and waits for the lock.
        for _ in 0..<1_000_000 where !committer.statistics.waitingAlone(after: before) { await Task.yield() }
        var rest: [Task<Void, any Error>] = []
        for i in 1...8 {
            rest.append(Task { try await driver.perform(.createVolume(container: "vg18", name: "v\(i)", size: .gib(1))) })
        }
        for _ in 0..<1_000_000 where committer.statistics.queued < 8 { await Task.yield() }
        held.release()
        try await first.value
        for task in rest { try await task.value }

        let after = committer.statistics
        #expect(after.jobs - before.jobs == 9)
        #expect(after.batches - before.batches == 2)
        #expect(after.files - before.files == 2)
        // Read from the disk, not from what the process remembers.
        let onDisk = try SimHostFile.decode(Data(contentsOf: fx.store.liveURL("cpt18")))
        #expect(onDisk.storage["vg18"]?.volumes.keys.sorted() == (0...8).map { "v\($0)" })
    }

    @Test func eachOperationReturnsOnlyOnceItsEffectIsOnDisk() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        let path = fx.store.liveURL("cpt18")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<16 {
                group.addTask {
                    try await driver.perform(.createVolume(container: "vg18", name: "d\(i)", size: .gib(1)))
                    // What a crash now would leave: the file as it is on disk.
                    let onDisk = try SimHostFile.decode(Data(contentsOf: path))
                    #expect(onDisk.storage["vg18"]?.volumes["d\(i)"] == .gib(1))
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func aRefusedOperationInABatchChangesNothingAndSparesTheOthers() async throws {
        let fx = SimFixture()
        let driver = fx.driver()
        try fx.prepare(driver)
        let committer = SimCommitter.shared(for: fx.directory)
        let held = ForeignLock(fx.store.lockURL("cpt18").path)
        let before = committer.statistics
        let first = Task { try await driver.perform(.createVolume(container: "vg18", name: "a", size: .gib(1))) }
        // Until the first batch is taken and waits for the lock.
        for _ in 0..<1_000_000 where !committer.statistics.waitingAlone(after: before) { await Task.yield() }
        // Too large for the group: refused, in the same batch as two that fit.
        let big = Task { try await driver.perform(.createVolume(container: "vg18", name: "big", size: .gib(500))) }
        let b = Task { try await driver.perform(.createVolume(container: "vg18", name: "b", size: .gib(1))) }
        let c = Task { try await driver.perform(.createVolume(container: "vg18", name: "c", size: .gib(1))) }
        for _ in 0..<1_000_000 where committer.statistics.queued < 3 { await Task.yield() }
        held.release()
        try await first.value
        await #expect(throws: HostError.self) { try await big.value }
        try await b.value
        try await c.value
        let onDisk = try SimHostFile.decode(Data(contentsOf: fx.store.liveURL("cpt18")))
        #expect(onDisk.storage["vg18"]?.volumes.keys.sorted() == ["a", "b", "c"])
        #expect(committer.statistics.batches - before.batches == 2)
    }
}

extension SimCommitter.Statistics {
    /// A batch runs, nothing else is queued, and none has finished since `before`.
    func waitingAlone(after before: Self) -> Bool { running && queued == 0 && jobs == before.jobs }
}

/// Operations on one host wait out their latencies side by side; their changes still
/// happen one at a time, each whole.
@Suite struct OverlappingLatencyTests {
    /// A clock whose latency waits last until the test releases them.
    final class HeldClock: SimClock {
        private let state = Mutex<(waiting: Int, held: [CheckedContinuation<Void, Never>], open: Bool)>((0, [], false))
        func now() -> Date { Date(timeIntervalSince1970: 1_700_000_000) }
        func sleep(seconds: Double) async throws {
            await withCheckedContinuation { continuation in
                let go = state.withLock { state -> Bool in
                    state.waiting += 1
                    if state.open { return true }
                    state.held.append(continuation)
                    return false
                }
                if go { continuation.resume() }
            }
        }
        var waiting: Int { state.withLock { $0.waiting } }
        func release() {
            let held = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.open = true
                defer { state.held = [] }
                return state.held
            }
            for continuation in held { continuation.resume() }
        }
    }

    @Test func fourVolumesOnOneHostWaitTheirLatenciesTogether() async throws {
        let fx = SimFixture()
        try fx.prepare(fx.driver())
        try fx.driver().edit { $0.latencies["create-volume"] = 1 }
        let clock = HeldClock()
        let driver = SimDriver(stateDirectory: fx.directory, host: "cpt18", clock: clock, speed: 1)
        let tasks = (0..<4).map { i in
            Task { try await driver.perform(.createVolume(container: "vg18", name: "v\(i)", size: .gib(1))) }
        }
        // All four are in their latency at once, and none has changed the host yet.
        for _ in 0..<1_000_000 where clock.waiting < 4 { await Task.yield() }
        #expect(clock.waiting == 4)
        #expect(try driver.file().storage["vg18"]?.volumes.isEmpty == true)
        clock.release()
        for task in tasks { try await task.value }
        #expect(try driver.file().storage["vg18"]?.volumes.count == 4)
    }
}

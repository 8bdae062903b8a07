import Executor
import Foundation
import HostModel
import SimDriver
import Testing
import XenplanTestSupport

/// The apply lock through the simulated host's `HostLocking`, and the judgement of a
/// holder's staleness.
@Suite struct HostLocksTests {
    let directory: URL
    init() throws {
        directory = try TemporaryDirectory.create("locks")
    }

    static func owner(_ pid: Int32, machine: String = "box", run: String = "r1") -> LockRecord {
        Fixture.lockRecord(pid, machine: machine, run: run)
    }

    func owner(_ pid: Int32, machine: String = "box", run: String = "r1") -> LockRecord { Self.owner(pid, machine: machine, run: run) }

    func drivers() -> [SimDriver] { ["cpt18", "cpt76"].map { SimDriver(stateDirectory: directory, host: $0, speed: 0) } }

    /// Every pid runs, with the start time its record says.
    static let everyoneRuns: @Sendable (Int32) -> ProcessSighting = { _ in .running(startTime: 1000) }

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
            _ = try await HostLocks.acquire(drivers(), owner: owner(5555, run: "r2"), sighting: Self.everyoneRuns)
            Issue.record("the second apply took a held lock")
        } catch {
            guard case let .held(held) = error else { Issue.record("\(error)"); return }
            #expect(held.description == "host cpt76 is locked by root@box pid 4242 since 2026-12-01T10:00:00Z (xenplan apply)")
            #expect(held.reason == "process 4242 still runs")
        }
        // cpt18 was taken first (name order) and given back when cpt76 was found held.
        #expect(try await drivers()[0].lockHolder() == nil)
        #expect(try await drivers()[1].lockHolder() == owner(4242))
        await first.releaseAll()
    }

    @Test func aLockWhoseProcessIsGoneIsTakenOverWithTheReason() async throws {
        _ = try await HostLocks.acquire([drivers()[0]], owner: owner(4242))
        let (locks, takeOvers) = try await HostLocks.acquire(
            drivers(), owner: owner(5555, run: "r2"),
            sighting: { $0 == 4242 ? .gone : .running(startTime: 1000) })
        #expect(takeOvers == [HostLocks.TakeOver(host: "cpt18", previous: owner(4242), reason: "process 4242 no longer exists")])
        #expect(try await drivers()[0].lockHolder() == owner(5555, run: "r2"))
        await locks.releaseAll()
    }

    @Test func aLockHeldFromAnotherMachineIsNeverTakenOver() async throws {
        let elsewhere = Fixture.lockRecord(4242, machine: "other", boot: "7d0c6f36-1e55-4a5e-8d1c-0f5e2a9b3c44", machineID: "other-machine")
        _ = try await HostLocks.acquire([drivers()[0]], owner: elsewhere)
        do {
            _ = try await HostLocks.acquire(drivers(), owner: owner(5555, run: "r2"), sighting: { _ in .gone })
            Issue.record("a lock of another machine was taken over")
        } catch {
            guard case let .held(held) = error else { Issue.record("\(error)"); return }
            #expect(
                held.reason
                    == "it was taken on another machine (other, boot id 7d0c6f36-1e55-4a5e-8d1c-0f5e2a9b3c44), where only that machine can tell whether pid 4242 runs"
            )
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

    /// More blocking releases at once than the concurrency pool has threads: each must
    /// release its file locks on its own thread, or all would wait for tasks none can run.
    @Test(.timeLimit(.minutes(1))) func blockingReleasesFromThePoolDoNotWaitForIt() async throws {
        let count = ProcessInfo.processInfo.activeProcessorCount * 4
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<count {
                let driver = SimDriver(stateDirectory: directory, host: "host\(i)", speed: 0)
                group.addTask {
                    let (locks, _) = try await HostLocks.acquire([driver], owner: Self.owner(Int32(100 + i)))
                    locks.releaseAllBlocking()
                    #expect(locks.hosts.isEmpty)
                    #expect(try await driver.lockHolder() == nil)
                }
            }
            try await group.waitForAll()
        }
    }

    // MARK: Waiting

    /// A host whose lock someone else holds until the clock reaches `releaseAt`.
    final class BusyHost: HostDriver, HostLocking, @unchecked Sendable {
        let hostName: String
        let clock: ManualExecutionClock
        let releaseAt: Duration
        let holder = HostLocksTests.owner(4242, machine: "ci")
        private let lock = NSLock()
        private var taken: LockRecord?
        init(_ name: String, clock: ManualExecutionClock, releaseAt: Duration) {
            hostName = name
            self.clock = clock
            self.releaseAt = releaseAt
        }
        func observe() async throws -> HostState { throw HostError(host: hostName, operation: "observe", message: "not here") }
        func perform(_ operation: HostOperation) async throws {}
        func acquireLock(for owner: LockRecord, replacing stale: LockRecord?) async throws {
            if clock.now() < releaseAt { throw HostLockHeld(host: hostName, holder: holder) }
            lock.withLock { taken = owner }
        }
        func releaseLock(of owner: LockRecord) async throws { lock.withLock { if taken == owner { taken = nil } } }
        func breakLock() async throws -> LockRecord? {
            lock.withLock {
                defer { taken = nil }; return taken
            }
        }
        func lockHolder() async throws -> LockRecord? { lock.withLock { taken } }
    }

    final class Heard: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func append(_ s: String) { lock.withLock { list.append(s) } }
        var all: [String] { lock.withLock { list } }
    }

    @Test func waitsForAHeldLockOnTheClockUntilItIsFree() async throws {
        let clock = ManualExecutionClock()
        let host = BusyHost("cpt18", clock: clock, releaseAt: .milliseconds(1600))
        let heard = Heard()
        let (locks, takeOvers) = try await HostLocks.acquire(
            [host], owner: owner(5555), waitUpTo: .seconds(10), clock: clock,
            onWait: { heard.append("\($0)") })
        #expect(takeOvers.isEmpty)
        #expect(locks.hosts == ["cpt18"])
        #expect(clock.sleeps == [.milliseconds(250), .milliseconds(500), .seconds(1)])
        #expect(heard.all == ["host cpt18 is locked by root@ci pid 4242 since 2026-12-01T10:00:00Z (xenplan apply)"])
        await locks.releaseAll()
    }

    @Test func waitingEndsAtTheTimeoutNamingTheHolder() async throws {
        let clock = ManualExecutionClock()
        let host = BusyHost("cpt18", clock: clock, releaseAt: .seconds(3600))
        do {
            _ = try await HostLocks.acquire([host], owner: owner(5555), waitUpTo: .seconds(5), clock: clock)
            Issue.record("a held lock was taken")
        } catch {
            guard case let .held(held) = error else { Issue.record("\(error)"); return }
            #expect(held.holder == host.holder)
        }
        // 0.25 + 0.5 + 1 + 2 = 3.75 s, then the 1.25 s left, then the last try.
        #expect(clock.sleeps == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .milliseconds(1250)])
        #expect(clock.now() == .seconds(5))
    }

    @Test func withoutAWaitNothingSleeps() async throws {
        let clock = ManualExecutionClock()
        let host = BusyHost("cpt18", clock: clock, releaseAt: .seconds(1))
        await #expect(throws: HostLocks.Failure.self) {
            _ = try await HostLocks.acquire([host], owner: owner(5555), clock: clock)
        }
        #expect(clock.sleeps.isEmpty)
    }

    // MARK: This machine's processes

    @Test func thisProcessIsIdentifiedAndSeenRunning() throws {
        let me = HostLocks.currentOwner(command: "xenplan apply", runID: "r1")
        #expect(me.pid == getpid())
        #expect(me.identifiesItsProcess, "\(me)")
        #expect(ProcessIdentity.sighting(getpid()) == .running(startTime: try #require(me.startTime)))
        #expect(me.staleness(judgedBy: me, sighting: ProcessIdentity.sighting) == .held(reason: "process \(getpid()) still runs"))
    }

    @Test func aChildThatEndedIsSeenGone() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        #expect(ProcessIdentity.sighting(child.processIdentifier) == .gone)
    }
}

/// A holder in another PID namespace, made for real with `unshare`: its pid is absent
/// from this namespace (a judge by hostname and pid alone would take its lock over), and
/// it is not taken over.
@Suite struct PidNamespaceLockTests {
    /// Why `unshare --pid --fork` cannot be used here, or nil when it can.
    static let unavailable: String? = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return "/usr/bin/unshare is not installed" }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["--pid", "--fork", "--mount-proc", "--kill-child", "/bin/true"]
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch { return "unshare cannot be started: \(error)" }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
            ? nil : "`unshare --pid --fork --mount-proc` exits with status \(probe.terminationStatus) (it needs root or user namespaces)"
    }()

    @Test(.enabled(if: unavailable == nil, "no PID namespaces here: \(unavailable ?? "")"))
    func aHolderInAnotherPidNamespaceIsNotTakenOver() async throws {
        let directory = try TemporaryDirectory.create("ns")
        defer { try? FileManager.default.removeItem(at: directory) }
        // The holder's pid inside its namespace: the first one no process has here.
        let inner = try #require((2...300).first { ProcessIdentity.sighting(Int32($0)) == .gone }.map(Int32.init))
        let report = directory.appendingPathComponent("holder")
        // Inside: pid 1 is the shell; each /bin/true takes the next pid, so the sleeper is
        // `inner`. It writes its own pid, PID namespace and start time, as seen inside.
        let script = """
            i=2; while [ $i -lt \(inner) ]; do /bin/true; i=$((i+1)); done
            sleep 300 & s=$!
            echo "$s $(stat -L -c %i /proc/$s/ns/pid) $(cut -d')' -f2- /proc/$s/stat | awk '{print $20}')" > \(report.path).tmp
            mv \(report.path).tmp \(report.path)
            wait
            """
        let unshare = Process()
        unshare.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        unshare.arguments = ["--pid", "--fork", "--mount-proc", "--kill-child", "/bin/sh", "-c", script]
        try unshare.run()
        defer {
            // unshare leaves SIGTERM to its child, and the shell is the namespace's init,
            // which ignores it: SIGKILL ends unshare, and --kill-child the namespace.
            kill(unshare.processIdentifier, SIGKILL)
            unshare.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: report.path) && Date() < deadline { usleep(10_000) }
        let fields = try String(contentsOf: report, encoding: .utf8).split(separator: " ")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(fields.count == 3, "the holder reported \(fields)")
        let me = HostLocks.currentOwner(command: "xenplan apply", runID: "taker")
        let holder = LockRecord(
            user: "root", machine: me.machine, pid: try #require(Int32(fields[0])),
            time: "2026-12-01T10:00:00Z", command: "xenplan apply", runID: "holder", bootID: me.bootID,
            machineID: me.machineID, pidNamespace: UInt64(fields[1]), startTime: UInt64(fields[2]))
        #expect(holder.pid == inner)
        #expect(holder.pidNamespace != me.pidNamespace)
        // Seen from here, the holder's pid is no process at all.
        #expect(ProcessIdentity.sighting(holder.pid) == .gone)

        let host = SimDriver(stateDirectory: directory, host: "cpt18", speed: 0)
        try await host.acquireLock(for: holder, replacing: nil)
        do {
            _ = try await HostLocks.acquire([host], owner: me)
            Issue.record("the lock of a live holder in another PID namespace was taken over")
        } catch {
            guard case let .held(held) = error else { Issue.record("\(error)"); return }
            #expect(held.reason == "it was taken in another PID namespace (pid:[\(fields[1])]), where pid \(inner) cannot be looked up from here")
        }
        #expect(try await host.lockHolder() == holder)
    }
}

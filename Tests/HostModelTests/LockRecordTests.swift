import HostModel
import Testing
import XenplanTestSupport

/// Whether a lock's holder can still run, judged from the would-be taker's own machine,
/// boot and PID namespace: every way the judgement goes, with the reason it gives.
@Suite struct LockRecordTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var holder: LockRecord
        var sighting: ProcessSighting
        var expected: LockStaleness
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "same boot and namespace, pid gone", holder: Fixture.lockRecord(4242), sighting: .gone,
            expected: .stale(reason: "process 4242 no longer exists")),
        Case(
            name: "same boot and namespace, pid reused by a process started later", holder: Fixture.lockRecord(4242),
            sighting: .running(startTime: 2000),
            expected: .stale(reason: "pid 4242 now belongs to another process (started at tick 2000, the holder at 1000)")),
        Case(
            name: "same boot and namespace, the holder runs", holder: Fixture.lockRecord(4242), sighting: .running(startTime: 1000),
            expected: .held(reason: "process 4242 still runs")),
        Case(
            name: "same boot and namespace, /proc says nothing", holder: Fixture.lockRecord(4242), sighting: .unknown,
            expected: .held(reason: "whether process 4242 runs cannot be read from /proc")),
        Case(
            name: "another PID namespace, even with its pid absent here", holder: Fixture.lockRecord(7, namespace: 4_026_532_999),
            sighting: .gone,
            expected: .held(reason: "it was taken in another PID namespace (pid:[4026532999]), where pid 7 cannot be looked up from here")),
        Case(
            name: "another boot of this machine", holder: Fixture.lockRecord(4242, boot: "9f1d2c3b-4a5e-4f60-8a7b-1c2d3e4f5a6b"),
            sighting: .running(startTime: 1000),
            expected: .stale(reason: "box has rebooted since (boot id 9f1d2c3b-4a5e-4f60-8a7b-1c2d3e4f5a6b, now \(Fixture.lockBootID))")),
        Case(
            name: "another boot, another machine of the same name",
            holder: Fixture.lockRecord(4242, boot: "9f1d2c3b-4a5e-4f60-8a7b-1c2d3e4f5a6b", machineID: "0123456789abcdef0123456789abcdef"),
            sighting: .gone,
            expected: .held(
                reason:
                    "it was taken on another machine (box, boot id 9f1d2c3b-4a5e-4f60-8a7b-1c2d3e4f5a6b), where only that machine can tell whether pid 4242 runs"
            )),
        Case(
            name: "another boot, no machine id to tell a reboot from another machine",
            holder: Fixture.lockRecord(4242, boot: "9f1d2c3b-4a5e-4f60-8a7b-1c2d3e4f5a6b", machineID: nil), sighting: .gone,
            expected: .held(
                reason:
                    "it was taken on another machine (box, boot id 9f1d2c3b-4a5e-4f60-8a7b-1c2d3e4f5a6b), where only that machine can tell whether pid 4242 runs"
            )),
        Case(
            name: "another boot, the same machine id under another name",
            holder: Fixture.lockRecord(4242, machine: "box2", boot: "9f1d2c3b-4a5e-4f60-8a7b-1c2d3e4f5a6b"), sighting: .gone,
            expected: .held(
                reason:
                    "it was taken on another machine (box2, boot id 9f1d2c3b-4a5e-4f60-8a7b-1c2d3e4f5a6b), where only that machine can tell whether pid 4242 runs"
            )),
        Case(
            name: "a record of an older xenplan",
            holder: LockRecord(user: "root", machine: "box", pid: 4242, time: "2026-12-01T10:00:00Z", command: "xenplan apply", runID: "r"),
            sighting: .gone,
            expected: .held(
                reason:
                    "the lock record has no boot id, PID namespace or start time (an older xenplan wrote it), so nothing can prove its process gone")),
    ]

    @Test(arguments: cases) func staleness(_ c: Case) {
        #expect(c.holder.staleness(judgedBy: Fixture.lockRecord(5555, run: "r2"), sighting: { _ in c.sighting }) == c.expected)
    }

    @Test func aJudgeThatCannotReadItsOwnIdentityJudgesNothingStale() {
        let blind = LockRecord(user: "root", machine: "box", pid: 5555, time: "t", command: "xenplan apply", runID: "r2")
        #expect(
            Fixture.lockRecord(4242).staleness(judgedBy: blind, sighting: { _ in .gone })
                == .held(reason: "this process cannot read its own boot id, PID namespace or start time from /proc"))
    }

    @Test func aRecordIdentifiesItsProcessOnlyWithBootNamespaceAndStartTime() {
        #expect(Fixture.lockRecord(1).identifiesItsProcess)
        #expect(Fixture.lockRecord(1, machineID: nil).identifiesItsProcess)
        #expect(!Fixture.lockRecord(1, boot: nil).identifiesItsProcess)
        #expect(!Fixture.lockRecord(1, namespace: nil).identifiesItsProcess)
        #expect(!Fixture.lockRecord(1, start: nil).identifiesItsProcess)
    }

    @Test func onlyAStaleJudgementIsStale() {
        #expect(LockStaleness.stale(reason: "gone").isStale)
        #expect(!LockStaleness.held(reason: "runs").isStale)
    }
}

import Foundation
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

@Suite struct ProcessCommandRunnerTests {
    static let ample: Duration = .seconds(120)

    @Test func largeOutputOnBothPipesDoesNotDeadlock() async throws {
        // 1 MiB through stdin, back on stdout, while stderr is written too.
        let input = String(repeating: "0123456789abcdef", count: 65_536)
        let result = try await ProcessCommandRunner().run(["cat", "-", "/no/such/file"], stdin: input, timeout: Self.ample)
        #expect(result.stdout == input)
        #expect(result.stderr.contains("/no/such/file"))
        #expect(result.status == 1)
    }

    /// A volume sent to another dom0 is read by the child itself: its stdin is the file.
    @Test func aFileCanBeAChildsStdin() async throws {
        let dir = try TemporaryDirectory.create("stdin-file")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("volume").path
        let content = String(repeating: "volume bytes ", count: 100_000)
        try Data(content.utf8).write(to: URL(fileURLWithPath: file))
        let result = try await ProcessCommandRunner().run(["cat"], stdinFile: file, timeout: Self.ample)
        #expect(result.status == 0)
        #expect(result.stdout == content)
        let missing = await #expect(throws: SpawnError.self) {
            try await ProcessCommandRunner().run(["cat"], stdinFile: dir.appendingPathComponent("none").path, timeout: Self.ample)
        }
        #expect(missing?.description == "cannot run cat < \(dir.appendingPathComponent("none").path): No such file or directory")
    }

    /// Children spawned at the same time must not hold each other's pipes: a short
    /// command finishes while a long one started beside it still runs.
    @Test func concurrentChildrenDoNotInheritEachOthersPipes() async throws {
        let firstLongDone = Flag()
        // Long children spawned while the short ones' pipes exist: with inherited pipe
        // ends, a short command would wait for one of them to end.
        let longs = (0..<12).map { _ in
            Task {
                // Long enough that 40 spawns on a loaded machine finish first.
                _ = try await ProcessCommandRunner().run(["sleep", "40"], stdin: nil, timeout: Self.ample)
                firstLongDone.set()
            }
        }
        for i in 0..<40 {
            let result = try await ProcessCommandRunner().run(["echo", "\(i)"], stdin: nil, timeout: Self.ample)
            #expect(result.stdout == "\(i)\n")
        }
        #expect(!firstLongDone.isSet, "the short commands waited for a long one")
        for long in longs { _ = try await long.value }
    }

    @Test func argumentsAreNeverInterpretedByAShell() async throws {
        let result = try await ProcessCommandRunner().run(["echo", "$(id)", ";", "`x`", "a b"], stdin: nil, timeout: Self.ample)
        #expect(result.stdout == "$(id) ; `x` a b\n")
        #expect(result.status == 0)
    }

    @Test func aMissingProgramIsASpawnErrorWithItsErrno() async {
        let error = await #expect(throws: SpawnError.self) {
            try await ProcessCommandRunner().run(["xenplan-no-such-program"], stdin: nil, timeout: Self.ample)
        }
        #expect(error == SpawnError(program: "xenplan-no-such-program", code: ENOENT))
        #expect(error?.description == "cannot run xenplan-no-such-program: No such file or directory")
    }

    @Test func localeIsC() async throws {
        let result = try await ProcessCommandRunner(environment: ["LC_ALL": "fr_FR.UTF-8"]).run(
            ["printenv", "LC_ALL"], stdin: nil,
            timeout: Self.ample)
        #expect(result.stdout == "C\n")
    }

    /// A child that outlives its deadline is stopped with everything it started (a
    /// grandchild here), and the error names the command and the deadline.
    @Test func aChildPastItsDeadlineIsKilledWithItsProcessGroup() async throws {
        let folder = try TemporaryDirectory.create("xenplan-deadline")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pidFile = folder.appendingPathComponent("grandchild").path
        let argv = ["sh", "-c", "sleep 300 & echo $! > \(pidFile); wait"]
        let (result, took) = await Self.timed(argv, timeout: .milliseconds(500), grace: .seconds(5))
        #expect(took < .seconds(3), "the deadline was not kept")
        #expect(throws: CommandTimeout(argv: argv, timeout: .milliseconds(500))) { try result.get() }
        #expect(
            CommandTimeout(argv: argv, timeout: .milliseconds(500)).description
                == "`sh -c sleep 300 & echo $! > \(pidFile); wait` did not finish within 0.5 s and was killed, with the processes it started")
        let grandchild = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await Self.ends(grandchild), "the grandchild \(grandchild) still runs")
    }

    /// A child that ignores SIGTERM gets SIGKILL once the grace has passed.
    @Test func aChildThatIgnoresSigtermIsKilled() async throws {
        // The ignored SIGTERM is inherited by the shell's child; only SIGKILL ends them.
        let argv = ["sh", "-c", "trap '' TERM; sleep 300; sleep 300"]
        let (result, took) = await Self.timed(argv, timeout: .milliseconds(300), grace: .milliseconds(300))
        #expect(throws: CommandTimeout.self) { try result.get() }
        #expect(took < .seconds(3))
    }

    /// Runs `argv` on a thread of its own, as `run` does, and times it there: the time a
    /// loaded test process takes to resume the awaiting task is not the runner's.
    static func timed(_ argv: [String], timeout: Duration, grace: Duration) async -> (Result<CommandResult, any Error>, Duration) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let start = ContinuousClock.now
                ProcessCommandRunner.run(argv, input: .text(""), environment: [:], timeout: timeout, grace: grace) {
                    continuation.resume(returning: ($0, ContinuousClock.now - start))
                }
            }
        }
    }

    /// A child that exits without reading its input is reported by its status, and xenplan
    /// lives on (the write that meets the closed pipe gets EPIPE, not a fatal SIGPIPE).
    /// SIGPIPE's process-wide action is not compared here: other code in the test process
    /// (Foundation's) sets it while tests run concurrently.
    @Test func aChildThatClosesItsStdinEarlyIsReportedNotFatal() async throws {
        let input = String(repeating: "x", count: 4 << 20)
        let result = try await ProcessCommandRunner().run(["true"], stdin: input, timeout: Self.ample)
        #expect(result.status == 0)
    }

    /// Whether `pid` has ended (gone, or a zombie that nothing reaps here) within a few seconds.
    static func ends(_ pid: Int32) async -> Bool {
        for _ in 0..<100 {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            if stat.isEmpty || stat.contains(") Z ") { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

import Foundation
import Testing
import XenplanBasics
@testable import XenDriver

@Suite struct ProcessCommandRunnerTests {
    @Test func largeOutputOnBothPipesDoesNotDeadlock() async throws {
        // 1 MiB through stdin, back on stdout, while stderr is written too.
        let input = String(repeating: "0123456789abcdef", count: 65_536)
        let result = try await ProcessCommandRunner().run(["cat", "-", "/no/such/file"], stdin: input)
        #expect(result.stdout == input)
        #expect(result.stderr.contains("/no/such/file"))
        #expect(result.status == 1)
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
                _ = try await ProcessCommandRunner().run(["sleep", "40"], stdin: nil)
                firstLongDone.set()
            }
        }
        for i in 0..<40 {
            let result = try await ProcessCommandRunner().run(["echo", "\(i)"], stdin: nil)
            #expect(result.stdout == "\(i)\n")
        }
        #expect(!firstLongDone.isSet, "the short commands waited for a long one")
        for long in longs { _ = try await long.value }
    }

    @Test func argumentsAreNeverInterpretedByAShell() async throws {
        let result = try await ProcessCommandRunner().run(["echo", "$(id)", ";", "`x`", "a b"], stdin: nil)
        #expect(result.stdout == "$(id) ; `x` a b\n")
        #expect(result.status == 0)
    }

    @Test func aMissingProgramIsASpawnError() async {
        await #expect(throws: ProcessCommandRunner.SpawnError.self) {
            try await ProcessCommandRunner().run(["xenplan-no-such-program"], stdin: nil)
        }
    }

    @Test func localeIsC() async throws {
        let result = try await ProcessCommandRunner(environment: ["LC_ALL": "fr_FR.UTF-8"]).run(["printenv", "LC_ALL"], stdin: nil)
        #expect(result.stdout == "C\n")
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

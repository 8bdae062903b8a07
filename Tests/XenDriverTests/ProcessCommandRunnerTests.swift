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

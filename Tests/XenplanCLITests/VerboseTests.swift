import Foundation
import Logging
import Testing
import XenplanTestSupport

@testable import XenplanCLI

/// `--verbose` says on standard error what is done on the hosts and how long it took;
/// standard output is the same with or without it.
@Suite struct VerboseTests {
    /// The lines of `stderr` that are log lines, each without its time stamp and with every
    /// duration replaced by `T`.
    static func logLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("[") }.map { line in
            String(line.drop { $0 != "]" }.dropFirst(2))
                .replacingOccurrences(of: #"\d+\.\d+ (ms|s)\b"#, with: "T", options: .regularExpression)
        }
    }

    @Test func aLineNamesItsSubjectAndEscapesWhatAHostSaid() {
        let line = VerboseLogHandler.line(
            label: "xenplan.ssh", message: "cpt18 says: \u{1B}[2Jhello", metadata: ["b": "2", "a": "1"], elapsed: .milliseconds(61_005))
        #expect(line == "[  61.005 s] ssh: cpt18 says: \\u{1b}[2Jhello a=1 b=2")
        #expect(VerboseLogHandler.line(label: "other", message: "m", metadata: [:], elapsed: .zero) == "[   0.000 s] other: m")
    }

    @Test func applyOnSimulatedHostsSaysWhatEachHostDid() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let quiet = try Binary.run(["plan", "examples/lab", "--state-dir", state.path])
        let verbose = try Binary.run(["plan", "examples/lab", "--state-dir", state.path, "--verbose"])
        #expect(verbose.status == 0, "\(verbose.stderr)")
        #expect(PlanCommandTests.normalised(verbose.stdout) == PlanCommandTests.normalised(quiet.stdout))
        #expect(Self.logLines(quiet.stderr).isEmpty)
        #expect(
            Self.logLines(verbose.stderr).sorted() == [
                "observe: host cpt18 read in T: domains 11, configurations 10, volumes 17",
                "observe: host cpt76 read in T: domains 6, configurations 4, volumes 15",
                "plan: hosts observed in T",
                "plan: manifests read in T: 5 files, 15 domains",
                "plan: planned in T: 10 actions, 3 notices",
                "plan: printed in T",
            ], "\(verbose.stderr)")

        let applied = try Binary.run(
            ["apply", "examples/lab", "--state-dir", state.path, "--auto-approve", "--allow-destroy"], environment: ["XENPLAN_VERBOSE": "1"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let lines = Self.logLines(applied.stderr)
        #expect(lines.contains("apply: #0 shutdown old-test on cpt18: started"), "\(lines)")
        #expect(lines.contains("sim: cpt18: shutdown old-test"))
        #expect(lines.contains("apply: #0 shutdown old-test on cpt18: done in T"))
        // Every operation started is said to end.
        let started = lines.filter { $0.hasPrefix("apply: ") && $0.hasSuffix(": started") }.count
        let ended = lines.filter { $0.hasPrefix("apply: ") && ($0.contains(": done in ") || $0.contains(": failed after ")) }.count
        #expect(started > 10 && started == ended)
    }
}

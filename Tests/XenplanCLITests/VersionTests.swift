import Foundation
import Testing

@testable import XenplanCLI

/// `xenplan --version`: the version and the commit the binary was built from, which the
/// Makefile passes to every build it runs and a plain `swift build` does not.
@Suite struct VersionTests {
    @Test func theVersionLineNamesTheCommitAndItsDate() {
        #expect(
            BuildInfo.versionLine(version: "0.1.0", commit: "1a2b3c4d5e6f", date: "2026-12-02")
                == "0.1.0 (commit 1a2b3c4d5e6f, 2026-12-02)")
        #expect(
            BuildInfo.versionLine(version: "0.1.0", commit: "1a2b3c4d5e6f-dirty", date: "2026-12-02")
                == "0.1.0 (commit 1a2b3c4d5e6f-dirty, 2026-12-02)")
        #expect(BuildInfo.versionLine(version: "0.1.0", commit: "1a2b3c4d5e6f", date: nil) == "0.1.0 (commit 1a2b3c4d5e6f)")
        #expect(BuildInfo.versionLine(version: "0.1.0", commit: nil, date: nil) == "0.1.0 (commit unknown)")
    }

    /// Plans, backups and the agent's hello carry the bare version, never the commit.
    @Test func theVersionCarriedElsewhereIsBare() {
        #expect(XenplanMain.version.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+/) != nil)
        #expect(XenplanMain.configuration.version == BuildInfo.versionLine(version: XenplanMain.version))
    }

    /// The binary this test run built. Under `make test` the build and this process see
    /// the same XENPLAN_COMMIT and XENPLAN_COMMIT_DATE, so the line is known exactly.
    @Test func theBuiltBinaryPrintsItsVersionLine() throws {
        let result = try Binary.run(["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let version = XenplanMain.version.replacingOccurrences(of: ".", with: "\\.")
        let format = try Regex("\(version) \\(commit (unknown|[0-9a-f]{7,40}(-dirty)?, [0-9]{4}-[0-9]{2}-[0-9]{2})\\)\n")
        #expect(result.stdout.wholeMatch(of: format) != nil, "\(result.stdout)")
        let environment = ProcessInfo.processInfo.environment
        if let commit = environment["XENPLAN_COMMIT"], !commit.isEmpty {
            let date = environment["XENPLAN_COMMIT_DATE"].flatMap { $0.isEmpty ? nil : $0 }
            #expect(result.stdout == BuildInfo.versionLine(version: XenplanMain.version, commit: commit, date: date) + "\n")
        }
    }
}

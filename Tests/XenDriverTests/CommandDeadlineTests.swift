import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// Every tool the driver runs has a deadline, long for the ones that copy a disk.
@Suite struct CommandDeadlineTests {
    /// The deadline each tool was run with, in order.
    static func deadlines(_ runner: RecordingCommandRunner) -> [String: Duration] {
        Dictionary(
            runner.invocations.map { ($0.argv[0] + ($0.argv[0] == "xl" ? " " + $0.argv[1] : ""), $0.timeout) },
            uniquingKeysWith: { first, _ in first })
    }

    @Test func copyingAnImageGetsTheLongDeadline() async throws {
        let host = try ImageOperationTests.Host()
        defer { host.h.cleanup() }
        host.h.runner.respond(to: ["sha256sum"], with: CommandResult(status: 0, stdout: "\(ImageOperationTests.digest)  \(host.raw)\n"))
        try await host.h.driver.perform(
            .createVolumeFromImage(
                container: "vg18", name: "web2-root", size: .gib(8),
                image: host.image("raw", sha256: ImageOperationTests.digest)))
        #expect(
            Self.deadlines(host.h.runner) == [
                "lvs": .seconds(60), "sha256sum": .seconds(3600), "lvcreate": .seconds(120), "dd": .seconds(3600),
                "lvrename": .seconds(120), "lvchange": .seconds(120),
            ])
    }

    @Test func xlGetsTheDeadlineOfItsWork() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        try await h.driver.perform(.create(domain: "conf-web"))
        try await h.driver.perform(.migrate(domain: "git", toHost: "cpt76"))
        try await h.driver.perform(.setMemory(domain: "ldap", target: .mib(512)))
        _ = try await h.driver.observeVolumes()
        #expect(
            Self.deadlines(h.runner) == [
                "xl create": .seconds(600), "xl migrate": .seconds(1800), "xl mem-set": .seconds(120), "lvs": .seconds(60),
            ])
    }

    /// A command stopped at its deadline fails its operation, naming the host and the command.
    @Test func aMissedDeadlineIsTheOperationsFailure() async throws {
        let (server, store) = try XenstoreHarness.cpt18()
        defer { server.stop() }
        var deadlines = DriverHarness.deadlines
        deadlines.operation = .milliseconds(1500)
        let driver = XenDriver(
            hostName: "cpt18", hypervisor: RecordedHypervisor.cpt18(), store: store, runner: TimingOut(),
            deadlines: deadlines)
        let error = await #expect(throws: HostError.self) { try await driver.perform(.setMemory(domain: "ldap", target: .mib(512))) }
        #expect(error?.host == "cpt18")
        #expect(error?.message == "`xl mem-set ldap 512m` did not finish within 1.5 s and was killed, with the processes it started")
    }

    /// A runner whose every command misses its deadline.
    struct TimingOut: CommandRunner {
        func run(_ argv: [String], stdin: String?, timeout: Duration) async throws -> CommandResult {
            throw CommandTimeout(argv: argv, timeout: timeout)
        }
        func run(_ argv: [String], stdinFile: String, timeout: Duration) async throws -> CommandResult {
            throw CommandTimeout(argv: argv, timeout: timeout)
        }
    }
}

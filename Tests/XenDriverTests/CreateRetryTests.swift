import Foundation
import HostModel
import Testing
import XenplanBasics

@testable import XenDriver

/// A create that libxl failed because a hotplug script ran out of time is run again once
/// the half-built domain is gone; anything else is not.
@Suite struct CreateRetryTests {
    /// What xl printed on a loaded dom0 when the block script of a file-backed disk was
    /// killed (the domain was destroyed by xl itself).
    static let hotplugTimeout = """
        Parsing config from /etc/xen/xenplan/g1.cfg
        libxl: error: libxl_aoutils.c:539:async_exec_timeout: killing execution of /etc/xen/scripts/block add because of timeout
        libxl: error: libxl_create.c:1672:domcreate_launch_dm: Domain 2:unable to add disk devices
        libxl: error: libxl_domain.c:1183:libxl__destroy_domid: Domain 2:Non-existant domain
        """

    @Test func aHotplugTimeoutIsTriedAgain() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.runner.respond(to: ["xl", "create"], with: CommandResult(status: 3, stderr: Self.hotplugTimeout), times: 2)
        try await h.driver.perform(.create(domain: "g1"))
        let create = ["xl", "create", h.paths.configDirectory + "/g1.cfg"]
        #expect(h.runner.commands == [create, create, create])
        #expect(h.pauses.all == [.seconds(15), .seconds(30)])
    }

    /// Two creates asked at once build one after the other: the second `xl create`
    /// starts only once the first has ended.
    @Test func buildsTakeTurns() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let slow = SlowCreates()
        let driver = XenDriver(
            hostName: "cpt18", hypervisor: h.hypervisor, store: h.driver.store, runner: slow, deadlines: DriverHarness.deadlines,
            paths: h.paths, settle: { _ in })
        async let a: Void = driver.perform(.create(domain: "g1"))
        async let b: Void = driver.perform(.create(domain: "g2"))
        _ = try await (a, b)
        #expect(slow.mostAtOnce == 1)
        #expect(slow.started.sorted() == ["g1", "g2"])
    }

    @Test func threeTimeoutsFailSayingSo() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.runner.respond(to: ["xl", "create"], with: CommandResult(status: 3, stderr: Self.hotplugTimeout), times: 3)
        let path = h.paths.configDirectory + "/g1.cfg"
        await #expect(
            throws: HostError(
                host: "cpt18", operation: "create", domain: "g1",
                message: "`xl create \(path)` exited with status 3: \(Self.hotplugTimeout)\n"
                    + "(tried 3 times: each time a hotplug script ran out of libxl's time)")
        ) { try await h.driver.perform(.create(domain: "g1")) }
        #expect(h.runner.commands.count == 3)
    }

    /// cpt18 runs ns1 (domid 1): a create of that name that timed out left a domain
    /// behind, and creating it again could make two.
    @Test func aDomainLeftBehindIsNotCreatedAgain() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        h.runner.respond(to: ["xl", "create"], with: CommandResult(status: 3, stderr: Self.hotplugTimeout), times: 2)
        await #expect(throws: HostError.self) { try await h.driver.perform(.create(domain: "ns1")) }
        #expect(h.runner.commands == [["xl", "create", h.paths.configDirectory + "/ns1.cfg"]])
    }

    @Test func otherFailuresAreNotTriedAgain() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let said = "Parsing config from x\nlibxl: error: libxl_create.c:692:libxl__domain_make: domain creation fail: Cannot allocate memory"
        h.runner.respond(to: ["xl", "create"], with: CommandResult(status: 3, stderr: said), times: 1)
        await #expect(throws: HostError.self) { try await h.driver.perform(.create(domain: "g1")) }
        #expect(h.runner.commands.count == 1)
    }
}

/// `xl create` that takes a while, counting how many run at once.
final class SlowCreates: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var running = 0
    private(set) var mostAtOnce = 0
    private(set) var started: [String] = []

    func run(_ argv: [String], stdin: String?, timeout: Duration) async throws -> CommandResult {
        lock.withLock {
            running += 1
            mostAtOnce = max(mostAtOnce, running)
            started.append(URL(fileURLWithPath: argv.last ?? "").deletingPathExtension().lastPathComponent)
        }
        try await Task.sleep(for: .milliseconds(100))
        lock.withLock { running -= 1 }
        return CommandResult(status: 0)
    }

    func run(_ argv: [String], stdinFile: String, timeout: Duration) async throws -> CommandResult { CommandResult(status: 0) }
}

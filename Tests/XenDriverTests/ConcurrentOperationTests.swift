import CXen
import Foundation
import HostModel
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenDriver

/// One driver called by several tasks at once, as an agent serving several requests (or
/// an apply's parallel actions on the local host) calls it.
@Suite struct ConcurrentOperationTests {
    /// Two shutdowns wait on one xenstore handle: each sees its own guest go, neither
    /// taking the other's watch event nor holding a thread while it waits.
    @Test func twoShutdownsAtOnceEachSeeTheirGuestGo() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        // Both guests power off once both were asked (each has set its watch by then).
        let runner = GuestsGoWhenAsked(count: 2) {
            h.hypervisor.update { $0.removeAll { $0.domain == 1 || $0.domain == 2 } }
            h.server.releaseDomain()
        }
        // Polling alone would take ten minutes: finishing well before proves each watch woke its wait.
        let driver = XenDriver(
            hostName: "cpt18", hypervisor: h.hypervisor, store: h.driver.store, runner: runner,
            deadlines: DriverHarness.deadlines, paths: h.paths, pollInterval: .seconds(600))
        let clock = ContinuousClock()
        let start = clock.now
        async let first: Void = driver.perform(.shutdown(domain: "ns1", timeoutSeconds: 300))
        async let second: Void = driver.perform(.shutdown(domain: "ldap", timeoutSeconds: 300))
        _ = try await (first, second)
        #expect(clock.now - start < .seconds(300), "woken by the watches, not by polling")
        #expect(Set(runner.asked) == ["ns1", "ldap"])
    }

    /// Writes of one configuration at once never take each other's temporary file: each
    /// succeeds, the file is one of them whole, and no temporary is left.
    @Test func configurationsWrittenAtOnceStayWhole() async throws {
        let h = try DriverHarness()
        defer { h.cleanup() }
        let configs = (1...8).map { n in
            var config = ExampleLab.configs[0]
            config.vcpus = 1
            config.maxvcpus = n
            return config
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for config in configs { group.addTask { try await h.driver.perform(.writeConfig(config)) } }
            try await group.waitForAll()
        }
        let text = try String(contentsOfFile: h.paths.configPath("ns1"), encoding: .utf8)
        #expect(try configs.map { try XlConfig.render($0) }.contains(text))
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.paths.configDirectory) == ["ns1.cfg"], "no temporary left")
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.paths.autoDirectory) == ["ns1.cfg"])
    }

    @Test func temporaryNamesDifferWithinOneProcess() {
        let names = (0..<100).map { _ in TemporaryName.beside("ns1.cfg", in: "/etc/xen/xenplan") }
        #expect(Set(names).count == 100)
        #expect(names.allSatisfy { $0.hasPrefix("/etc/xen/xenplan/.ns1.cfg.\(getpid()).") && $0.hasSuffix(".tmp") })
    }
}

/// Answers every command with success; `xl shutdown NAME` is recorded, and once `count`
/// guests were asked, `go` makes them go.
final class GuestsGoWhenAsked: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    private let count: Int
    private let go: @Sendable () -> Void

    init(count: Int, go: @escaping @Sendable () -> Void) {
        self.count = count
        self.go = go
    }

    var asked: [String] { lock.withLock { names } }

    func run(_ argv: [String], stdin: String?, timeout: Duration) async throws -> CommandResult {
        if argv.starts(with: ["xl", "shutdown"]), let name = argv.last {
            let all = lock.withLock {
                names.append(name)
                return names.count == count
            }
            if all { go() }
        }
        return CommandResult(status: 0)
    }

    func run(_ argv: [String], stdinFile: String, timeout: Duration) async throws -> CommandResult {
        CommandResult(status: 0)
    }
}

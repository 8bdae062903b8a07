import Foundation
import HostModel
import SimDriver
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A connection cut while an operation runs on the host: the apply names the host and
/// the operation, says it may or may not have happened, and a new plan and apply converge.
@Suite(.serialized, .enabled(if: SshServer.isAvailable, "needs openssh-server (scripts/setup.sh installs it)"))
struct SshRecoveryTests {
    @Test func agentKilledDuringAnOperationIsReportedAndReplanConverges() async throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        // One sshd per host, each agent pinned to its host, so that the one to kill is known
        // by its command line. ldap's mem-set on cpt18 takes a minute.
        let cpt18 = try SshServer(keys: [.init(command: SshTests.agentCommand(state: state, speed: "1", extra: ["--host", "cpt18"]))])
        let cpt76 = try SshServer(keys: [.init(command: SshTests.agentCommand(state: state, extra: ["--host", "cpt76"]))])
        defer { cpt18.stop(); cpt76.stop() }
        try SimDriver(stateDirectory: state, host: "cpt18").edit { $0.latencies["mem-set"] = 60 }
        let lab = try SshTests.sshLab(ports: ["cpt18": cpt18.port, "cpt76": cpt76.port])
        defer { try? FileManager.default.removeItem(at: lab) }
        let knownHosts = state.appendingPathComponent("known_hosts")
        let lines = try String(contentsOf: cpt18.knownHosts, encoding: .utf8) + String(contentsOf: cpt76.knownHosts, encoding: .utf8)
        try lines.write(to: knownHosts, atomically: true, encoding: .utf8)
        let options = "-o IdentitiesOnly=yes -i \(cpt18.keys[0].path) -i \(cpt76.keys[0].path)"
        let env = ["XENPLAN_SSH_OPTIONS": options, "XENPLAN_SSH_KNOWN_HOSTS": knownHosts.path]

        let apply = try BackgroundRun(["apply", lab.path, "--state-dir", state.path, "--auto-approve", "--allow-destroy"], environment: env)
        let started = await apply.waitFor({ $0.contains("start") && $0.contains("ldap") }, timeout: .seconds(60))
        #expect(started, "\(apply.output)")
        try await Task.sleep(for: .milliseconds(300))
        let agents = TestProcesses.matching([Binary.url.path, "agent", state.path, "--host", "cpt18"])
        #expect(!agents.isEmpty)
        for pid in agents { kill(pid, SIGKILL) }
        let status = await apply.wait(timeout: .seconds(60))
        let output = apply.output
        #expect(status == 1, "\(output)")
        #expect(
            output.contains(
                "host cpt18: the connection dropped during mem-set of ldap; the operation may or may not have happened: run `xenplan plan` to see"),
            "\(output)")

        // The host as it is now: a plan shows what is left, an apply finishes it.
        try SimDriver(stateDirectory: state, host: "cpt18").edit { $0.latencies["mem-set"] = 0 }
        let left = try Binary.run(["plan", lab.path, "--state-dir", state.path], environment: env)
        #expect(left.status == 0, "\(left.stderr)")
        #expect(left.stdout.contains("ldap"))
        let again = try Binary.run(["apply", lab.path, "--state-dir", state.path, "--auto-approve", "--allow-destroy"], environment: env)
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        let converged = try Binary.run(["plan", lab.path, "--state-dir", state.path, "--detailed-exitcode"], environment: env)
        #expect(converged.status == 0, "\(converged.stdout)")
    }
}

/// The built binary running in the background, its stdout and stderr gathered together,
/// so that a test can act while it runs.
final class BackgroundRun: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var gathered = Data()

    init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = Binary.url
        process.arguments = arguments
        process.currentDirectoryURL = Repository.root
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["XENPLAN_SIM_SPEED"] = "0"
        env.removeValue(forKey: "XENPLAN_STATE_DIR")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { gathered.append(chunk) }
            }
        }.start()
    }

    var output: String { lock.withLock { String(decoding: gathered, as: UTF8.self) } }

    /// Polls the output until `condition` holds or `timeout` passes.
    func waitFor(_ condition: (String) -> Bool, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(output) { return true }
            if !process.isRunning { return condition(output) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// The exit status, or nil (and the process terminated) after `timeout`.
    func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        try? await Task.sleep(for: .milliseconds(100))
        return process.terminationStatus
    }
}

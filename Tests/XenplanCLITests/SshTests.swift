import Foundation
import SimDriver
import Testing

@testable import XenplanCLI

#if canImport(Glibc)
    import Glibc
    import XenplanTestSupport
#endif

/// `connection: ssh://…` against a real OpenSSH server on loopback whose authorized keys
/// run the built `xenplan agent` on simulated hosts: the example lab must behave exactly
/// as it does with `connection: sim`, and every way ssh can fail must name the host.
@Suite(.serialized, .enabled(if: SshServer.isAvailable, "needs openssh-server (scripts/setup.sh installs it)"))
struct SshTests {
    /// The forced command that serves the simulated hosts of `state` (the host comes from the hello).
    static func agentCommand(state: URL, speed: String = "0", extra: [String] = []) -> String {
        ([Binary.url.path, "agent", "--sim-dir", state.path, "--sim-speed", speed] + extra).joined(separator: " ")
    }

    /// examples/lab copied, each host switched to `ssh://root@127.0.0.1:PORT` (its `sim:`
    /// block removed, as the loader requires for other connections).
    static func sshLab(ports: [String: Int]) throws -> URL {
        let dir = try TemporaryDirectory.create("ssh-lab")
        let source = Repository.root.appendingPathComponent("examples/lab")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".yaml") {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let hostsFile = dir.appendingPathComponent("hosts.yaml")
        var text = try String(contentsOf: hostsFile, encoding: .utf8)
        var lines: [String] = []
        var currentHost: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  "), !line.hasPrefix("    "), line.hasSuffix(":") {
                currentHost = line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ":", with: "")
            }
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("sim:") { continue }
            if line.contains("connection: sim"), let host = currentHost, let port = ports[host] {
                lines.append("    connection: ssh://root@127.0.0.1:\(port)")
                continue
            }
            lines.append(String(line))
        }
        text = lines.joined(separator: "\n")
        try text.write(to: hostsFile, atomically: true, encoding: .utf8)
        return dir
    }

    /// The plan as printed, without what legitimately differs: timing and the directory.
    static func comparable(_ output: String, directory: String) -> String {
        PlanCommandTests.normalised(output).replacingOccurrences(of: directory, with: "LAB")
    }

    @Test func planOverSshIsThePlanWithSim() throws {
        let sshState = try Repository.copyOfCommittedState(), simState = try Repository.copyOfCommittedState()
        let server = try SshServer(keys: [.init(command: Self.agentCommand(state: sshState))])
        defer { server.stop(); try? FileManager.default.removeItem(at: sshState); try? FileManager.default.removeItem(at: simState) }
        let lab = try Self.sshLab(ports: ["cpt18": server.port, "cpt76": server.port])
        defer { try? FileManager.default.removeItem(at: lab) }
        let env = server.clientEnvironment()

        let overSsh = try Binary.run(["plan", lab.path, "--state-dir", sshState.path], environment: env)
        let withSim = try Binary.run(["plan", "examples/lab", "--state-dir", simState.path])
        #expect(overSsh.status == 0, "\(overSsh.stderr)")
        #expect(withSim.status == 0)
        #expect(Self.comparable(overSsh.stdout, directory: lab.path) == Self.comparable(withSim.stdout, directory: "examples/lab"))

        let jsonSsh = try Binary.run(["plan", lab.path, "--state-dir", sshState.path, "--json"], environment: env)
        let jsonSim = try Binary.run(["plan", "examples/lab", "--state-dir", simState.path, "--json"])
        let actions = { (text: String) -> [[String: String]] in
            let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            return ((object?["actions"] as? [[String: Any]]) ?? []).map { action in
                action.compactMapValues { $0 as? String }
            }
        }
        #expect(!actions(jsonSsh.stdout).isEmpty)
        #expect(actions(jsonSsh.stdout) == actions(jsonSim.stdout))
    }

    @Test func applyOverSshConvergesLikeSim() throws {
        let sshState = try Repository.copyOfCommittedState(), simState = try Repository.copyOfCommittedState()
        let server = try SshServer(keys: [.init(command: Self.agentCommand(state: sshState))])
        defer { server.stop(); try? FileManager.default.removeItem(at: sshState); try? FileManager.default.removeItem(at: simState) }
        let lab = try Self.sshLab(ports: ["cpt18": server.port, "cpt76": server.port])
        defer { try? FileManager.default.removeItem(at: lab) }
        let env = server.clientEnvironment()

        let applied = try Binary.run(["apply", lab.path, "--state-dir", sshState.path, "--auto-approve", "--allow-destroy"], environment: env)
        #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        let simApplied = try Binary.run(["apply", "examples/lab", "--state-dir", simState.path, "--auto-approve", "--allow-destroy"])
        #expect(simApplied.status == 0)

        let again = try Binary.run(["plan", lab.path, "--state-dir", sshState.path, "--detailed-exitcode"], environment: env)
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(again.stdout.contains("No changes."))
        let simAgain = try Binary.run(["plan", "examples/lab", "--state-dir", simState.path])
        #expect(Self.comparable(again.stdout, directory: lab.path) == Self.comparable(simAgain.stdout, directory: "examples/lab"))
        // The apply locks were released over the connection.
        #expect(!FileManager.default.fileExists(atPath: sshState.appendingPathComponent("cpt18.apply.lock").path))
    }

    /// Each way the connection can fail, with the message the user reads. `--host cpt18`
    /// keeps the message to one host.
    @Test func unknownHostKeyIsRefused() throws {
        let state = try Repository.copyOfCommittedState()
        let server = try SshServer(keys: [.init(command: Self.agentCommand(state: state))])
        defer { server.stop(); try? FileManager.default.removeItem(at: state) }
        let lab = try Self.sshLab(ports: ["cpt18": server.port, "cpt76": server.port])
        defer { try? FileManager.default.removeItem(at: lab) }
        let result = try Binary.run(
            ["plan", lab.path, "--state-dir", state.path, "--host", "cpt18"],
            environment: server.clientEnvironment(knownHosts: server.emptyKnownHosts))
        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("To go on without them: --skip-unreachable cpt18 --skip-unreachable cpt76\n"), "\(result.stderr)")
        #expect(
            result.stderr.hasPrefix(
                "error: host cpt18: ssh failed: its ssh host key is not in known_hosts; verify it and add it (ssh-keyscan -p \(server.port) 127.0.0.1 >> ~/.ssh/known_hosts"
            ), "\(result.stderr)")
    }

    @Test func refusedLoginIsReported() throws {
        let state = try Repository.copyOfCommittedState()
        let server = try SshServer(keys: [.init(command: Self.agentCommand(state: state))])
        defer { server.stop(); try? FileManager.default.removeItem(at: state) }
        let lab = try Self.sshLab(ports: ["cpt18": server.port, "cpt76": server.port])
        defer { try? FileManager.default.removeItem(at: lab) }
        let result = try Binary.run(
            ["plan", lab.path, "--state-dir", state.path, "--host", "cpt18"],
            environment: server.clientEnvironment(key: nil))
        #expect(result.status == 1)
        #expect(
            Self.firstLine(result.stderr)
                == "error: host cpt18: ssh failed: ssh refused the login as root@127.0.0.1 (Permission denied); add this machine's public key to that user's authorized_keys on the host (see docs/hosts.md)\n"
        )
    }

    /// What runs on the host instead of a working agent, and what the user must read.
    static let brokenAgents: [(String?, String)] = [
        // No forced command: sshd runs `xenplan agent` through root's shell, and there is none.
        (
            nil,
            "error: host cpt18: connect failed: xenplan was not found on the host (exit 127); install xenplan there (the same version as here) or set the host's agentCommand to its path (see docs/hosts.md)\n"
        ),
        // A newer agent: answers the hello with protocol 3 only.
        (
            #"/bin/echo '{"type":"hello","id":1,"version":3,"versions":[3],"xenplan":"9.0.0","host":"cpt18","capabilities":[]}'"#,
            "error: host cpt18: connect failed: the xenplan on the host speaks agent protocol 3, this one speaks 2; install the same version on both\n"
        ),
        // An older agent, as protocol 1 answers a hello without its new fields...
        (
            #"/bin/echo '{"type":"error","id":1,"code":"unsupported-version","message":"this agent speaks protocol 1, the client 2","versions":[1],"xenplan":"0.1.0"}'"#,
            "error: host cpt18: connect failed: the xenplan on the host speaks agent protocol 1, this one speaks 2; install the same version on both\n"
        ),
        // ...and one with them (the lab's lvm pools): it checks fields before versions.
        (
            #"/bin/echo '{"type":"error","id":1,"code":"bad-request","message":"unknown field '"'"'volumeGroups'"'"' in a hello request"}'"#,
            "error: host cpt18: connect failed: the xenplan on the host is older than this one, which speaks agent protocol 2 (its agent says: unknown field 'volumeGroups' in a hello request); install the same version on both\n"
        ),
        // What an old xenplan without `agent` does: complain and exit.
        (
            "/bin/echo Error: Unknown subcommand agent",
            "error: host cpt18: connect failed: `xenplan agent` on the host does not speak the agent protocol (it answered 'Error: Unknown subcommand agent'); it is missing or too old: install the same xenplan version on both\n"
        ),
    ]

    @Test(arguments: Self.brokenAgents)
    func aHostWithoutAWorkingAgentIsReported(_ command: String?, _ expected: String) throws {
        let state = try Repository.copyOfCommittedState()
        let server = try SshServer(keys: [.init(command: command)])
        defer { server.stop(); try? FileManager.default.removeItem(at: state) }
        let lab = try Self.sshLab(ports: ["cpt18": server.port, "cpt76": server.port])
        defer { try? FileManager.default.removeItem(at: lab) }
        let result = try Binary.run(
            ["plan", lab.path, "--state-dir", state.path, "--host", "cpt18"],
            environment: server.clientEnvironment())
        #expect(result.status == 1)
        // Every host is observed: cpt76, behind the same server, fails the same way after it.
        #expect(Self.firstLine(result.stderr) == expected)
        #expect(result.stderr.contains("\nerror: host cpt76: "))
    }

    static func firstLine(_ text: String) -> String {
        (text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? "") + "\n"
    }

    @Test func badConnectionOptionsAreRefused() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let lab = try Self.sshLab(ports: ["cpt18": 22, "cpt76": 22])
        defer { try? FileManager.default.removeItem(at: lab) }
        let result = try Binary.run(
            ["plan", lab.path, "--state-dir", state.path],
            environment: ["XENPLAN_SSH_OPTIONS": "root@elsewhere -o X=y"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("XENPLAN_SSH_OPTIONS must hold ssh options"))
    }

    /// The real binary, fed bad lines directly: each gets an error answer, and the agent
    /// still serves the valid requests that follow.
    @Test func agentBinaryAnswersBadLinesAndStaysUp() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let lines = [
            "{\"type\":\"observe\",\"id\":1}",
            "not json",
            String(repeating: "x", count: 1_100_000),
            "{\"type\":\"hello\",\"id\":2,\"versions\":[2],\"host\":\"cpt18\"}",
            "{\"type\":\"perform\",\"id\":3,\"operation\":{\"destroy\":{\"domain\":\"../etc\"}}}",
            "{\"type\":\"observe\",\"id\":4}",
        ]
        let result = try Binary.run(["agent", "--sim-dir", state.path], stdin: lines.joined(separator: "\n") + "\n{\"type\":")
        #expect(result.status == 0, "\(result.stderr)")
        let answers = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(answers.map { $0["type"] as? String } == ["error", "error", "error", "hello", "error", "state", "error"])
        #expect(answers.map { $0["code"] as? String } == ["out-of-order", "bad-json", "too-large", nil, "invalid-field", nil, "truncated"])
    }
}

/// `--verbose` over ssh: the ssh command, the connection's set-up time, each request and
/// its time, and what the agent itself logged (it is asked to with the hello's `trace`).
@Suite(.serialized, .enabled(if: SshServer.isAvailable, "needs openssh-server (scripts/setup.sh installs it)"))
struct SshVerboseTests {
    @Test func verboseShowsTheSshCommandRequestsAndTheAgentsOwnLog() throws {
        let state = try Repository.copyOfCommittedState()
        let server = try SshServer(keys: [.init(command: SshTests.agentCommand(state: state))])
        defer { server.stop(); try? FileManager.default.removeItem(at: state) }
        let lab = try SshTests.sshLab(ports: ["cpt18": server.port, "cpt76": server.port])
        defer { try? FileManager.default.removeItem(at: lab) }
        let quiet = try Binary.run(["status", lab.path, "--state-dir", state.path], environment: server.clientEnvironment())
        let result = try Binary.run(["status", lab.path, "--state-dir", state.path, "-v"], environment: server.clientEnvironment())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(PlanCommandTests.normalised(result.stdout) == PlanCommandTests.normalised(quiet.stdout))
        #expect(VerboseTests.logLines(quiet.stderr).isEmpty)
        let lines = VerboseTests.logLines(result.stderr).filter { $0.contains("cpt18") }
        let ssh = try #require(lines.first)
        #expect(ssh.hasPrefix("ssh: cpt18: /usr/bin/ssh "), "\(lines)")
        #expect(ssh.hasSuffix(" -p \(server.port) -- root@127.0.0.1 xenplan agent"), "\(ssh)")
        let rest = Array(lines.dropFirst()).map {
            $0.replacingOccurrences(of: #"\[ *T\] "#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #" /\S+/[0-9a-f]{32}$"#, with: " SOCKET", options: .regularExpression)
        }
        // The agent's log comes on ssh's stderr, its answers on stdout: each in its own
        // order, and how the two interleave is up to the pipes.
        #expect(
            rest.filter { !$0.contains(" says: ") } == [
                "ssh: cpt18: over the shared connection SOCKET",
                "ssh: cpt18: agent \(XenplanMain.version), protocol 2, 4 at once, connected in T",
                "ssh: cpt18: observe →",
                "ssh: cpt18: observe ← state in T",
                "observe: host cpt18 read in T: domains 11, configurations 10, volumes 17",
            ], "\(result.stderr)")
        #expect(
            rest.filter { $0.contains(" says: ") } == [
                "ssh: cpt18 says: agent: hello → hello in T",
                "ssh: cpt18 says: agent: observe → state in T",
            ], "\(result.stderr)")
    }
}

import Foundation
import Testing
import XenplanTestSupport

@testable import Agent

#if canImport(Glibc)
    import Glibc
#endif

/// ssh connections are shared between commands (OpenSSH's ControlMaster): a second
/// command runs over the first one's connection instead of authenticating again, through
/// a socket in a directory only this user can enter, named after the whole connection.
@Suite(.serialized, .enabled(if: SshServer.isAvailable, "needs openssh-server (scripts/setup.sh installs it)"))
struct SshSharingTests {
    static func logins(_ server: SshServer) -> Int {
        server.log.components(separatedBy: "Accepted publickey").count - 1
    }

    /// The example lab over a loopback sshd serving simulated hosts, its state, and a
    /// private runtime directory for the shared connections' sockets.
    struct Setup {
        let state: URL, runtime: URL, server: SshServer, lab: URL
        var environment: [String: String] {
            server.clientEnvironment().merging(["XDG_RUNTIME_DIR": runtime.path]) { $1 }
        }

        init() throws {
            state = try Repository.copyOfCommittedState()
            runtime = try TemporaryDirectory.create("rt")
            server = try SshServer(keys: [.init(command: SshTests.agentCommand(state: state))])
            lab = try SshTests.sshLab(ports: ["cpt18": server.port, "cpt76": server.port])
        }

        func end() {
            server.stop()
            for url in [state, runtime, lab] { try? FileManager.default.removeItem(at: url) }
        }
    }

    @Test func aSecondCommandLogsInNoMore() throws {
        let setup = try Setup()
        defer { setup.end() }
        let (state, runtime, server, lab) = (setup.state, setup.runtime, setup.server, setup.lab)
        var env = setup.environment

        let first = try Binary.run(["status", lab.path, "--state-dir", state.path], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let afterFirst = Self.logins(server)
        #expect((1...2).contains(afterFirst))
        // The socket directory is private, and holds the one connection's socket.
        var info = stat()
        #expect(lstat(runtime.path + "/xenplan-ssh", &info) == 0 && info.st_mode & 0o777 == 0o700)
        let sockets = try FileManager.default.contentsOfDirectory(atPath: runtime.path + "/xenplan-ssh")
        #expect(sockets.count == 1 && sockets[0].count == 32, "\(sockets)")

        let second = try Binary.run(["status", lab.path, "--state-dir", state.path, "-v"], environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Self.logins(server) == afterFirst, "\(server.log)")
        let shared = VerboseTests.logLines(second.stderr).filter { $0.contains("over the shared connection") }
        #expect(shared.count == 2, "\(second.stderr)")

        // Turned off: every command logs in again, and no socket is named.
        env["XENPLAN_SSH_SHARE"] = "no"
        let unshared = try Binary.run(["status", lab.path, "--state-dir", state.path, "-v"], environment: env)
        #expect(unshared.status == 0, "\(unshared.stderr)")
        #expect(Self.logins(server) == afterFirst + 2)
        #expect(!unshared.stderr.contains("ControlPath"))
    }

    @Test func theDirectoryMustBePrivate() throws {
        let runtime = try TemporaryDirectory.create("rt")
        defer { try? FileManager.default.removeItem(at: runtime) }
        let env = ["XDG_RUNTIME_DIR": runtime.path]
        #expect(SshSharing.directory(environment: env) == .success(runtime.path + "/xenplan-ssh"))
        chmod(runtime.path + "/xenplan-ssh", 0o755)
        #expect(
            SshSharing.directory(environment: env)
                == .failure(SshSharing.SharingRefused("\(runtime.path)/xenplan-ssh can be entered by others (mode 755)")))
        rmdir(runtime.path + "/xenplan-ssh")
        symlink("/tmp", runtime.path + "/xenplan-ssh")
        #expect(SshSharing.directory(environment: env) == .failure(SshSharing.SharingRefused("\(runtime.path)/xenplan-ssh is not a directory")))
        #expect(SshSharing.directory(environment: env.merging(["XENPLAN_SSH_SHARE": "no"]) { $1 }) == nil)
        // A directory whose sockets' paths would not fit a socket address is not used.
        let long = "/tmp/" + String(repeating: "d", count: 60)
        #expect(SshSharing.directory(environment: ["XDG_RUNTIME_DIR": long]) == .success("/tmp/xenplan-ssh-\(getuid())"))
    }

    /// Another key, another known_hosts file, another port: another master, whose host
    /// key is checked when it connects.
    @Test func eachConnectionHasItsOwnSocket() {
        let base = SshTarget(user: "root", address: "cpt18.lab", port: 22, extraOptions: ["-o", "UserKnownHostsFile=/etc/a"])
        var other = base
        other.extraOptions = ["-o", "UserKnownHostsFile=/etc/b"]
        var port = base
        port.port = 2222
        let path = { (t: SshTarget) in SshSharing.options(directory: "/run/x", connection: t.arguments)[3] }
        #expect(path(base) == path(base))
        #expect(Set([path(base), path(other), path(port)]).count == 3)
        #expect(path(base).hasPrefix("ControlPath=/run/x/") && path(base).count == "ControlPath=/run/x/".count + 32)
        var shared = base
        shared.sharing = SshSharing.options(directory: "/run/x", connection: base.arguments)
        #expect(Array(shared.arguments.prefix(SshTarget.fixedOptions.count + 6).suffix(6)) == shared.sharing)
        #expect(shared.controlPath == String(path(base).dropFirst("ControlPath=".count)))
    }

    /// `make bench` prints how long a `plan` against two hosts over loopback sshd takes to
    /// observe them, on a shared connection and without (`XENPLAN_BENCH_FIGURES=1`); the
    /// test checks that every plan saw both hosts.
    @Test func observationOverASharedConnectionFigure() throws {
        let setup = try Setup()
        defer { setup.end() }
        let (state, lab) = (setup.state, setup.lab)
        func observed(_ env: [String: String]) throws -> Int {
            let plan = try Binary.run(["plan", lab.path, "--state-dir", state.path], environment: env)
            let line = plan.stdout.split(separator: "\n").first { $0.hasPrefix("Observed 2 hosts in ") }
            let ms = line.flatMap { Int($0.split(separator: " ")[4]) }
            #expect(ms != nil, "\(plan.stdout)\n\(plan.stderr)")
            return ms ?? -1
        }
        var env = setup.environment
        let first = try observed(env)
        let shared = try (0..<5).map { _ in try observed(env) }.sorted()
        env["XENPLAN_SSH_SHARE"] = "no"
        let unshared = try (0..<5).map { _ in try observed(env) }.sorted()
        if ProcessInfo.processInfo.environment["XENPLAN_BENCH_FIGURES"] == "1" {
            print(
                "FIGURE plan over loopback ssh, 2 hosts, observation: first \(first) ms, then shared connection \(shared[2]) ms (median of 5), unshared \(unshared[2]) ms"
            )
        }
    }
}

import Foundation
import HostModel
import Manifest
import Testing
import XenplanBasics
import XenplanTestSupport

@testable import XenplanCLI

/// `xenplan console DOMAIN`: which host's console it opens, what it says when there is
/// none to open, and the command it becomes.
@Suite struct ConsoleCommandTests {
    static let lab = Fixture.lab(
        hosts: [Fixture.hostSpec("a"), Fixture.hostSpec("b")],
        domains: [
            Fixture.domain("www", on: "a"), Fixture.domain("ldap", on: "b"),
            Fixture.domain("print", on: "b", state: .stopped),
        ])

    static func config(_ name: String) -> DomainConfig {
        DomainConfig(name: name, memory: .mib(256), maxmem: .mib(256), vcpus: 1, maxvcpus: 1)
    }

    static func migrating(_ name: String, _ role: TransientRole, domid: Int = 7) -> DomainState {
        var d = Fixture.domainState(name, domid: domid)
        d.transient = role
        return d
    }

    /// The message of the error `body` ends with, as the user reads it; nil if none.
    static func message(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as UserFacingError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    static func refusal(_ domain: String, _ states: [HostState], unobserved: [String] = []) -> String? {
        message { try ConsoleCommand.locate(domain, in: states, unobserved: unobserved, lab: lab, directory: "lab") }
    }

    @Test func theHostThatRunsIt() throws {
        let states = [
            Fixture.hostState("a", domains: [Fixture.domainState("www", domid: 3)]),
            Fixture.hostState("b", domains: [Fixture.domainState("ldap", domid: 4)]),
        ]
        #expect(try ConsoleCommand.locate("www", in: states, unobserved: [], lab: Self.lab, directory: "lab").name == "a")
        #expect(try ConsoleCommand.locate("ldap", in: states, unobserved: [], lab: Self.lab, directory: "lab").name == "b")
    }

    /// A domain xenplan does not manage has a console too.
    @Test func anUndeclaredDomainThatRuns() throws {
        let states = [Fixture.hostState("a"), Fixture.hostState("b", domains: [Fixture.domainState("tmpbox", domid: 9)])]
        #expect(try ConsoleCommand.locate("tmpbox", in: states, unobserved: [], lab: Self.lab, directory: "lab").name == "b")
    }

    /// While `xl migrate` copies it, the name still runs on the sender; the receiving
    /// copy (`--incoming`) is not the domain.
    @Test func theIncomingCopyIsNotTheDomain() throws {
        let states = [
            Fixture.hostState("a", domains: [Fixture.domainState("www", domid: 3)]),
            Fixture.hostState("b", domains: [Self.migrating("www", .incoming)]),
        ]
        #expect(try ConsoleCommand.locate("www", in: states, unobserved: [], lab: Self.lab, directory: "lab").name == "a")
    }

    @Test func onlyTransientCopies() {
        let states = [
            Fixture.hostState("a", domains: [Self.migrating("www", .migratedAway)]),
            Fixture.hostState("b", domains: [Self.migrating("www", .incoming)]),
        ]
        #expect(Self.refusal("www", states) == "www is being migrated (a → b); try again when the migration is over")
    }

    @Test func twoCopiesAreRefusedNamingBoth() {
        let states = [
            Fixture.hostState("a", domains: [Fixture.domainState("www", domid: 3)]),
            Fixture.hostState("b", domains: [Fixture.domainState("www", domid: 5)]),
        ]
        #expect(
            Self.refusal("www", states) == "www runs on 2 hosts, a and b: not guessing which console to open."
                + " A guest running twice can corrupt its disks: stop the copy that should not run (xl destroy on its host)")
    }

    /// A dying domain is on its way out and has no console: the other copy is the one.
    @Test func aDyingCopyDoesNotCount() throws {
        let states = [
            Fixture.hostState("a", domains: [Fixture.domainState("www", domid: 3, state: .dying)]),
            Fixture.hostState("b", domains: [Fixture.domainState("www", domid: 5)]),
        ]
        #expect(try ConsoleCommand.locate("www", in: states, unobserved: [], lab: Self.lab, directory: "lab").name == "b")
    }

    @Test func notRunningAnywhere() {
        let empty = [Fixture.hostState("a"), Fixture.hostState("b")]
        #expect(Self.refusal("www", empty) == "www is not running on any host")
        let configured = [Fixture.hostState("a", configs: [Self.config("www")]), Fixture.hostState("b")]
        #expect(
            Self.refusal("www", configured)
                == "www is not running on any host (its configuration is on a; `xenplan apply` starts it)")
        let stopped = [Fixture.hostState("a"), Fixture.hostState("b", configs: [Self.config("print")])]
        #expect(
            Self.refusal("print", stopped)
                == "print is not running on any host (its configuration is on b; it is declared `state: stopped`)")
    }

    @Test func notDeclaredAndNotRunning() {
        let states = [
            Fixture.hostState("a", domains: [Fixture.domainState("www", domid: 3)]),
            Fixture.hostState("b", domains: [Fixture.domainState("tmpbox", domid: 9)]),
        ]
        #expect(Self.refusal("wwww", states) == "wwww is not declared in lab and is not running on any host; did you mean 'www'?")
        #expect(Self.refusal("tmpbax", states) == "tmpbax is not declared in lab and is not running on any host; did you mean 'tmpbox'?")
        #expect(Self.refusal("nagios", states) == "nagios is not declared in lab and is not running on any host")
        let leftover = [Fixture.hostState("a", configs: [Self.config("old")]), Fixture.hostState("b")]
        #expect(Self.refusal("old", leftover) == "old is not running on any host (its configuration is on a, but it is not declared in lab)")
    }

    @Test func aSkippedHostIsNamed() {
        #expect(
            Self.refusal("www", [Fixture.hostState("a")], unobserved: ["b"])
                == "www is not running on any host; b was not observed (--skip-unreachable): it may run there")
    }

    @Test func aSimulatedHostHasNoConsole() {
        #expect(
            Self.message { try ConsoleCommand.argv("www", on: Fixture.hostSpec("a"), drivers: []) }
                == "www runs on a, a simulated host: it has no console")
    }

    @Test func displayedAsShellWords() {
        #expect(
            CommandLineText.displayed(["/usr/bin/ssh", "-t", "-o", "UserKnownHostsFile=/etc/xenplan/known hosts", "it's", "", "root@fd00::18"])
                == "/usr/bin/ssh -t -o 'UserKnownHostsFile=/etc/xenplan/known hosts' 'it'\\''s' '' root@fd00::18")
        #expect(CommandLineText.displayed(["/opt/x\u{1B}[2J/xl", "console", "www"]) == "'/opt/x\\u{1b}[2J/xl' console www")
    }

    @Test func listed() {
        #expect(ConsoleCommand.listed(["a"]) == "a")
        #expect(ConsoleCommand.listed(["a", "b"]) == "a and b")
        #expect(ConsoleCommand.listed(["a", "b", "c"]) == "a, b and c")
    }

    // MARK: - The built binary

    @Test(arguments: [[], ["--print-command"]])
    func exampleLabIsSimulated(_ extra: [String]) throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try Binary.run(["console", "www", "examples/lab", "--state-dir", state.path] + extra)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == "error: www runs on cpt18, a simulated host: it has no console\n")
    }

    @Test func exampleLabMessages() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let cases: [(String, String)] = [
            ("teach3", "error: teach3 is not running on any host\n"),
            ("wwww", "error: wwww is not declared in examples/lab and is not running on any host; did you mean 'www'?\n"),
            ("tmpbox", "error: tmpbox runs on cpt76, a simulated host: it has no console\n"),
            ("Domain-0", "error: 'Domain-0' is not a domain name (lower-case letters, digits, '.' and '-')\n"),
        ]
        for (domain, expected) in cases {
            let result = try Binary.run(["console", domain, "examples/lab", "--state-dir", state.path, "--print-command"])
            #expect(result.status == 1, "\(domain)")
            #expect(result.stderr == expected)
        }
    }

    /// The same refusals as every connection's: `XENPLAN_SSH_OPTIONS` may not decide
    /// which host keys are trusted (this fails before any connection is tried).
    @Test func sshOptionsAreCheckedAsForTheAgent() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let lab = try SshTests.sshLab(ports: ["cpt18": 1, "cpt76": 1])
        defer { try? FileManager.default.removeItem(at: lab) }
        let result = try Binary.run(
            ["console", "www", lab.path, "--state-dir", state.path, "--print-command"],
            environment: ["XENPLAN_SSH_OPTIONS": "-o StrictHostKeyChecking=no"])
        #expect(result.status == 1)
        #expect(
            result.stderr == "error: host cpt18: XENPLAN_SSH_OPTIONS may not set StrictHostKeyChecking ('-o StrictHostKeyChecking=no'):"
                + " xenplan always refuses unknown and changed host keys; add the host's key to known_hosts (docs/hosts.md)\n")
    }

    /// A host that cannot be observed stops the console as it stops `plan`; skipped, it is
    /// named as where the domain may run.
    @Test func unreachableHosts() throws {
        let state = try Repository.copyOfCommittedState()
        defer { try? FileManager.default.removeItem(at: state) }
        let lab = try SshTests.sshLab(ports: ["cpt18": 1, "cpt76": 1])
        defer { try? FileManager.default.removeItem(at: lab) }
        let stopped = try Binary.run(["console", "www", lab.path, "--state-dir", state.path])
        #expect(stopped.status == 1)
        #expect(stopped.stderr.hasPrefix("error: host cpt18: "), "\(stopped.stderr)")
        #expect(stopped.stderr.hasSuffix("To go on without them: --skip-unreachable cpt18 --skip-unreachable cpt76\n"), "\(stopped.stderr)")
        let skipped = try Binary.run([
            "console", "www", lab.path, "--state-dir", state.path,
            "--skip-unreachable", "cpt18", "--skip-unreachable", "cpt76",
        ])
        #expect(skipped.status == 1)
        #expect(skipped.stderr == "error: www is not running on any host; cpt18 and cpt76 were not observed (--skip-unreachable): it may run there\n")
        // cpt18 simulated and observed, cpt76 skipped: found, with a note on where else it may run.
        let half = try SshTests.sshLab(ports: ["cpt76": 1])
        defer { try? FileManager.default.removeItem(at: half) }
        let hosts = half.appendingPathComponent("hosts.yaml")
        try String(contentsOf: hosts, encoding: .utf8)
            .replacingOccurrences(of: "    connection: sim\n", with: "    connection: sim\n    sim: {memory: 48G, cpus: 16}\n")
            .write(to: hosts, atomically: true, encoding: .utf8)
        let found = try Binary.run(["console", "www", half.path, "--state-dir", state.path, "--skip-unreachable", "cpt76"])
        #expect(found.status == 1)
        #expect(
            found.stderr == "note: cpt76 was not observed (--skip-unreachable): www may run there too\n"
                + "error: www runs on cpt18, a simulated host: it has no console\n")
    }

    /// Over a real ssh connection to agents serving the example lab: the domain is found
    /// on its host, and the command printed is the console's ssh with this run's key,
    /// known_hosts file and port.
    @Test(.enabled(if: SshServer.isAvailable, "needs openssh-server (scripts/setup.sh installs it)"))
    func printCommandOverSsh() throws {
        let state = try Repository.copyOfCommittedState()
        let server = try SshServer(keys: [.init(command: SshTests.agentCommand(state: state))])
        defer { server.stop(); try? FileManager.default.removeItem(at: state) }
        let lab = try SshTests.sshLab(ports: ["cpt18": server.port, "cpt76": server.port])
        defer { try? FileManager.default.removeItem(at: lab) }
        var env = server.clientEnvironment()
        env["PATH"] = "/usr/bin:/bin"
        let result = try Binary.run(["console", "proxy", lab.path, "--state-dir", state.path, "--print-command"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        #expect(
            result.stdout == "/usr/bin/ssh -t -o StrictHostKeyChecking=yes -o ForwardAgent=no -o ForwardX11=no -o ClearAllForwardings=yes"
                + " -o IdentitiesOnly=yes -i \(server.keys[0].path)"
                + " -o UserKnownHostsFile=\(server.knownHosts.path) -o GlobalKnownHostsFile=/dev/null"
                + " -o ConnectTimeout=15 -o ServerAliveInterval=15 -o ServerAliveCountMax=3"
                + " -p \(server.port) -- root@127.0.0.1 xl console proxy\n")
    }

    /// Without `--print-command`, xenplan becomes that ssh: what the dom0 runs is the
    /// console command (here a forced command shows it, and serves the agent otherwise),
    /// and its exit status is the command's.
    @Test(.enabled(if: SshServer.isAvailable, "needs openssh-server (scripts/setup.sh installs it)"))
    func becomesTheSshCommand() throws {
        let state = try Repository.copyOfCommittedState()
        let dispatch =
            "case \"$SSH_ORIGINAL_COMMAND\" in 'xl console '*) echo \"dom0 ran: $SSH_ORIGINAL_COMMAND\"; exit 3;;"
            + " *) exec \(SshTests.agentCommand(state: state));; esac"
        let server = try SshServer(keys: [.init(command: dispatch)])
        defer { server.stop(); try? FileManager.default.removeItem(at: state) }
        let lab = try SshTests.sshLab(ports: ["cpt18": server.port, "cpt76": server.port])
        defer { try? FileManager.default.removeItem(at: lab) }
        let result = try Binary.run(["console", "git", lab.path, "--state-dir", state.path], environment: server.clientEnvironment())
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout == "dom0 ran: xl console git\n")
    }
}

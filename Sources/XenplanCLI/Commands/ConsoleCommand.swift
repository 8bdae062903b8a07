import Agent
import ArgumentParser
import FoundationEssentials
import HostModel
import Manifest
import XenDriver
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `xenplan console DOMAIN [DIR]`: the domain's text console (`xl console`), on whichever
/// host runs it, found by observing every host of the lab. xenplan then becomes that
/// program (`execv`), so the terminal belongs to it alone.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Attach to a domain's console (xl console) on the host that runs it.",
        discussion: """
            Ctrl-] leaves the console. Over ssh it goes through your own ssh, with your keys and \
            ~/.ssh/config: a key restricted to `xenplan agent` (no-pty) cannot open a console.
            """
    )

    @Argument(help: "The domain.")
    var domain: String

    @Argument(help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var verbosity: VerboseOption

    @Option(
        name: .customLong("skip-unreachable"),
        help: "Look for the domain without this host if it cannot be observed (repeatable).")
    var skipUnreachable: [String] = []

    @Flag(name: .customLong("print-command"), help: "Print the command, one line, instead of running it.")
    var printCommand = false

    func run() async throws {
        try await guarded {
            guard Syntax.isName(domain) else {
                throw UserFacingError("\(shownValue(domain)) is not a domain name (lower-case letters, digits, '.' and '-')")
            }
            let session = try LabSession.open(directory: directory, stateDirectory: state.path)
            let observation = try await session.observe(skipping: skipUnreachable)
            let host = try Self.locate(
                domain, in: observation.states, unobserved: observation.unobserved.keys.sorted(),
                lab: session.lab, directory: directory)
            if !observation.unobserved.isEmpty {
                Console.err("note: \(Self.unobserved(observation.unobserved.keys.sorted())): \(domain) may run there too")
            }
            let argv = try Self.argv(domain, on: host, drivers: session.drivers)
            for driver in session.drivers { await (driver as? SshDriver)?.disconnect() }
            if printCommand {
                Console.out(CommandLineText.displayed(argv))
                return
            }
            try Self.replaceProcess(with: argv)
        }
    }

    /// The one host where `domain` runs: a domain of that name, not the copy `xl migrate`
    /// makes (`--incoming`, `--migratedaway`) nor one being torn down. Two hosts running it
    /// is refused, never guessed; not running anywhere is said with what is known of it.
    static func locate(
        _ domain: String, in states: [HostState], unobserved: [String], lab: Lab,
        directory: String
    ) throws -> HostSpec {
        let running = states.filter { state in
            state.guests.contains { $0.name == domain && $0.transient == nil && $0.state != .dying }
        }.map(\.name)
        if running.count > 1 {
            throw UserFacingError(
                "\(domain) runs on \(running.count) hosts, \(listed(running)): not guessing which console to open."
                    + " A guest running twice can corrupt its disks: stop the copy that should not run (xl destroy on its host)")
        }
        if let name = running.first {
            guard let host = lab.host(name) else { throw UserFacingError("host \(name) is not in \(directory)") }
            return host
        }
        let unseen = unobserved.isEmpty ? "" : "; \(Self.unobserved(unobserved)): it may run there"
        let from = states.filter { s in s.guests.contains { $0.name == domain && $0.transient == .migratedAway } }.map(\.name)
        let to = states.filter { s in s.guests.contains { $0.name == domain && $0.transient == .incoming } }.map(\.name)
        if !from.isEmpty || !to.isEmpty {
            throw UserFacingError(
                "\(domain) is being migrated (\(from.isEmpty ? "?" : listed(from)) → \(to.isEmpty ? "?" : listed(to)))"
                    + "; try again when the migration is over")
        }
        let configured = states.filter { $0.config(named: domain) != nil }.map(\.name)
        guard let declared = lab.domain(domain) else {
            if !configured.isEmpty {
                throw UserFacingError(
                    "\(domain) is not running on any host (its configuration is on \(listed(configured)),"
                        + " but it is not declared in \(directory))\(unseen)")
            }
            var known = Set(lab.domains.map(\.name))
            for state in states { for d in state.guests where d.transient == nil { known.insert(d.name) } }
            let hint = Suggestion.closest(to: domain, among: known.sorted()).map { "; did you mean '\($0)'?" } ?? ""
            throw UserFacingError("\(domain) is not declared in \(directory) and is not running on any host\(unseen)\(hint)")
        }
        var message = "\(domain) is not running on any host"
        if !configured.isEmpty {
            message +=
                declared.state == .running
                ? " (its configuration is on \(listed(configured)); `xenplan apply` starts it)"
                : " (its configuration is on \(listed(configured)); it is declared `state: stopped`)"
        }
        throw UserFacingError(message + unseen)
    }

    /// The program that shows the console on `host`: `xl console` here, or through ssh.
    static func argv(_ domain: String, on host: HostSpec, drivers: [any HostDriver]) throws -> [String] {
        switch host.connection {
        case .sim:
            throw UserFacingError("\(domain) runs on \(host.name), a simulated host: it has no console")
        case .local:
            do {
                return try XenConsole.argv(domain: domain, searchPath: ProcessInfo.processInfo.environment["PATH"])
            } catch {
                throw UserFacingError("host \(host.name): \(error)")
            }
        case .ssh:
            // The driver's target carries the ssh options and known_hosts file already checked.
            guard let driver = drivers.first(where: { $0.hostName == host.name }) as? SshDriver else {
                throw UserFacingError("host \(host.name): no ssh connection was made to it")
            }
            do {
                return try SshConsole(target: driver.target, domain: domain).argv()
            } catch {
                throw UserFacingError("host \(host.name): \(error)")
            }
        }
    }

    /// `cpt76 was not observed (--skip-unreachable)`.
    static func unobserved(_ hosts: [String]) -> String {
        "\(listed(hosts)) \(hosts.count == 1 ? "was" : "were") not observed (--skip-unreachable)"
    }

    /// `a`, `a and b`, `a, b and c`.
    static func listed(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    /// Becomes `argv` (`execv`, no shell, no PATH search: `argv[0]` is absolute). What was
    /// printed is flushed first; the signal mask and dispositions go back to the defaults,
    /// since an ignored or blocked signal would stay so in the console program (this runs
    /// on a thread whose mask the runtime chose). Not a child, so no deadline: the console
    /// is xenplan's process from here on, for as long as the person at it wants.
    static func replaceProcess(with argv: [String]) throws -> Never {
        fflush(nil)
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        for signalNumber: Int32 in 1..<32 where signalNumber != SIGKILL && signalNumber != SIGSTOP {
            signal(signalNumber, SIG_DFL)
        }
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        execv(argv[0], &cArguments)
        let code = errno
        for pointer in cArguments { free(pointer) }
        throw UserFacingError("cannot run \(argv[0]): \(String(cString: strerror(code)))")
    }
}

import ArgumentParser
import HostModel
import Manifest
import Planner
import XenDriver
import XenplanBasics

/// `xenplan config DOMAIN [DIR]`: the xl configuration file xenplan writes for a declared
/// domain, exactly as it would reach `/etc/xen/xenplan/DOMAIN.cfg`, for reading it or
/// checking it with `xl create -n`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the xl configuration xenplan writes for a declared domain.",
        discussion: """
            Every host is observed, as for a plan, so that the file has the MACs and UUID the \
            domain has or would get, and names the host it goes to (on standard error). Nothing \
            is changed.
            """
    )

    @Argument(help: "The domain.")
    var domain: String

    @Argument(help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions

    @Option(
        name: .customLong("skip-unreachable"),
        help: "Observe without this host if it cannot be reached (repeatable).")
    var skipUnreachable: [String] = []

    func run() async throws {
        try await guarded {
            guard Syntax.isName(domain) else {
                throw UserFacingError("\(shownValue(domain)) is not a domain name (lower-case letters, digits, '.' and '-')")
            }
            let session = try LabSession.open(directory: directory, stateDirectory: state.path)
            guard session.lab.domain(domain) != nil else {
                let hint = Suggestion.closest(to: domain, among: session.lab.domains.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                throw UserFacingError("\(domain) is not declared in \(directory)\(hint)")
            }
            let observation = try await session.observe(skipping: skipUnreachable)
            let found = try Planner.configuration(
                of: domain, lab: session.lab, observed: observation.states, options: PlanOptions(unobservedHosts: observation.unobserved))
            guard let found else { throw UserFacingError("\(domain) has no host yet: no host has room for it") }
            let text: String
            do throws(XlConfigError) {
                text = try XlConfig.render(found.config)
            } catch {
                throw UserFacingError(error.message)
            }
            Console.err("# \(domain) on host \(found.host): /etc/xen/xenplan/\(domain).cfg")
            Console.out(String(text.dropLast()))
        }
    }
}

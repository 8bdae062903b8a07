import ArgumentParser
import Executor
import Foundation
import HostModel
import Planner
import XenplanBasics

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Observe the hosts and print the ordered, capacity-checked plan."
    )

    @Argument(help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var planning: PlanningOptions

    @Option(name: .customLong("out"), help: "Save the plan to FILE for `xenplan apply FILE`.")
    var outFile: String?

    @Flag(help: "Print the plan as JSON (docs/plan-format.md).")
    var json = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when the plan has actions, 0 when there is nothing to do.")
    var detailedExitcode = false

    func run() async throws {
        var hasActions = false
        try await guarded {
            let session = try LabSession.open(directory: directory, stateDirectory: state.path)
            for warning in session.warnings { Console.err(warning.description) }
            try LabSession.checkHosts(planning.hosts, in: session.lab, directory: directory, flag: "--host")
            let observation = try await session.observe(skipping: planning.skipUnreachable)
            try LabSession.checkDomains(planning.domains, in: session.lab, observed: observation.states, directory: directory)
            var options = planning.planOptions(unobserved: observation.unobserved)
            if !observation.unobserved.isEmpty {
                options.lastStartedHosts = Journal.lastStartedHosts(at: state.journalPath)
            }
            var plan = try Planner.plan(lab: session.lab, observed: observation.states, options: options)
            // A domain still in transition (dying) has not converged either.
            hasActions = !plan.isEmpty || plan.notices.contains { $0.kind == .inTransition }
            if let outFile {
                plan.manifestDirectory = URL(fileURLWithPath: directory).standardizedFileURL.path
                try PlanFile.write(plan, to: outFile)
            }
            if json {
                Console.out(try PlanJSON.encode(plan))
            } else {
                Console.out(ObservationLine(observation).render() + "\n")
                Console.out(PlanText(plan: plan, style: .current, directory: directory).render())
                if let outFile { Console.out("Saved to \(outFile); apply it with `xenplan apply \(outFile)`.") }
            }
        }
        if detailedExitcode && hasActions { throw ExitCode(2) }
    }
}

/// Options shared by `plan` and `apply` that shape what is planned.
struct PlanningOptions: ParsableArguments {
    @Option(name: .customLong("host"), help: "Only carry out actions on this host (repeatable); every host is still observed.")
    var hosts: [String] = []

    @Option(name: .customLong("domain"), help: "Only carry out actions of this domain (repeatable); every host is still observed.")
    var domains: [String] = []

    @Option(name: .customLong("skip-unreachable"),
            help: "Go on without this host if it cannot be observed (repeatable); guests that may run there are left alone.")
    var skipUnreachable: [String] = []

    @Flag(name: .customLong("allow-restart"), help: "Apply changes that need a reboot even where the domain says `restart: never`.")
    var allowRestart = false

    @Flag(name: .customLong("allow-data-loss"), help: "Remove volumes that are no longer declared.")
    var allowDataLoss = false

    @Flag(help: "Destroy unmanaged domains that are not declared.")
    var prune = false

    func planOptions(unobserved: [String: String] = [:]) -> PlanOptions {
        PlanOptions(
            allowRestart: allowRestart, allowDataLoss: allowDataLoss, prune: prune,
            hosts: hosts.isEmpty ? nil : Set(hosts), domains: domains.isEmpty ? nil : Set(domains),
            unobservedHosts: unobserved
        )
    }
}

/// `Observed 2 hosts in 41 ms (cpt18: Xen 4.17.7, 14 domains; cpt76: Xen 4.17.7, 6 domains)`,
/// and a line per host that was skipped.
struct ObservationLine {
    var observation: LabObservation

    init(_ observation: LabObservation) { self.observation = observation }

    func render() -> String {
        let states = observation.states
        let hosts = states.map { "\($0.name): Xen \($0.xenVersion), \($0.guests.count) domains" }
        let noun = states.count == 1 ? "host" : "hosts"
        var line = "Observed \(states.count) \(noun) in \(observation.elapsed.milliseconds) ms (\(hosts.joined(separator: "; ")))"
        for host in observation.unobserved.keys.sorted() {
            line += "\nNot observed: \(host) (\(observation.unobserved[host]!)), skipped with --skip-unreachable"
        }
        return line
    }
}

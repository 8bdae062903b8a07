import ArgumentParser
import Executor
import FoundationEssentials
import HostModel
import Logging
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
    @OptionGroup var verbosity: VerboseOption
    @OptionGroup var planning: PlanningOptions

    @Option(name: .customLong("out"), help: "Save the plan to FILE for `xenplan apply FILE`.")
    var outFile: String?

    @Flag(help: "Print the plan as JSON (docs/plan-format.md).")
    var json = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when the plan has actions, 0 when there is nothing to do.")
    var detailedExitcode = false

    /// `--verbose`: how long each phase took (what `make bench` reports as the profile).
    static let log = Logger(label: "xenplan.plan")

    func run() async throws {
        var hasActions = false
        try await guarded {
            var phase = ContinuousClock.now
            func took() -> String {
                let now = ContinuousClock.now
                defer { phase = now }
                return (now - phase).shownElapsed
            }
            let session = try LabSession.open(directory: directory, stateDirectory: state.path)
            Self.log.debug("manifests read in \(took()): \(session.lab.files.count) files, \(session.lab.domains.count) domains")
            for warning in session.warnings { Console.err(warning.description) }
            try LabSession.checkHosts(planning.hosts, in: session.lab, directory: directory, flag: "--host")
            let observation = try await session.observe(skipping: planning.skipUnreachable)
            Self.log.debug("hosts observed in \(took())")
            try LabSession.checkDomains(planning.domains, in: session.lab, observed: observation.states, directory: directory)
            var options = planning.planOptions(unobserved: observation.unobserved)
            if !observation.unobserved.isEmpty {
                options.lastStartedHosts = Journal.lastStartedHosts(at: state.journalPath)
            }
            var plan = try Planner.plan(lab: session.lab, observed: observation.states, options: options)
            Self.log.debug("planned in \(took()): \(plan.actions.count) actions, \(plan.notices.count) notices")
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
                let closing: PlanText.Closing = outFile.map { .saved($0) } ?? .applyHint
                Console.out(PlanText(plan: plan, style: .current, directory: directory, closing: closing).render())
            }
            Self.log.debug("printed in \(took())")
        }
        if detailedExitcode && hasActions { throw ExitCode(2) }
    }
}

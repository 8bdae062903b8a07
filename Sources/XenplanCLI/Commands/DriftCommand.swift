import ArgumentParser
import Executor
import FoundationEssentials
import Planner

struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Read-only: classify every difference between the manifests and the hosts (exit 0 in sync, 2 otherwise).",
        discussion: "Made for nightly runs; see docs/drift.md."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, junit
    }

    @Argument(help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var verbosity: VerboseOption

    @Option(help: "Output format: text, json or junit.")
    var format: Format = .text

    @Option(name: .customLong("host"), help: "Only the differences on this host (repeatable); every host is still observed.")
    var hosts: [String] = []

    func run() async throws {
        var inSync = true
        try await guarded {
            let session = try LabSession.open(directory: directory, stateDirectory: state.path)
            try LabSession.checkHosts(hosts, in: session.lab, directory: directory, flag: "--host")
            let observation = try await session.observe()
            let observed = observation.states
            let options = PlanOptions(hosts: hosts.isEmpty ? nil : Set(hosts))
            let plan = try Planner.plan(lab: session.lab, observed: observed, options: options)
            var report = DriftReport(lab: session.lab, observed: observed, plan: plan)
            if !hosts.isEmpty { report = report.limited(to: Set(hosts), lab: session.lab, observed: observed) }
            inSync = report.inSync
            switch format {
            case .text:
                Console.out(DriftText(report: report, directory: directory, observation: ObservationLine(observation)).render())
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Console.out(String(decoding: try encoder.encode(DriftJSON(report: report)), as: UTF8.self))
            case .junit:
                Console.out(DriftJUnit(report: report).render())
            }
        }
        if !inSync { throw ExitCode(2) }
    }
}

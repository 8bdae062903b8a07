import ArgumentParser
import Executor
import FoundationEssentials
import HostModel
import Planner
import XenplanBasics

extension Disruption: ExpressibleByArgument {}

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Plan (or load a saved plan), confirm, and carry it out on the hosts.",
        discussion: "See docs/apply.md: locks, journal, failures, saved plans, the destroy gate."
    )

    @Argument(help: "Directory of manifests (default: current directory), or a plan saved with `xenplan plan --out`.")
    var target: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var verbosity: VerboseOption
    @OptionGroup var planning: PlanningOptions

    @Flag(name: .customLong("auto-approve"), help: "Do not ask for confirmation (destroys then need --allow-destroy).")
    var autoApprove = false

    @Flag(name: .customLong("allow-destroy"), help: "Destroy managed domains no longer declared (and, with --prune, unmanaged ones).")
    var allowDestroy = false

    @Option(
        name: .customLong("max-disruption"),
        help: "Leave out actions above this class, and those that depend on them: none, live, pause, restart, destroy, data-loss.")
    var maxDisruption: Disruption = .dataLoss

    @Option(help: "At most this many actions at once on each host; a migration or a cold move takes a slot on both of its hosts.")
    var parallelism: Int = 4

    @Option(name: .customLong("balloon-timeout"), help: "Seconds a guest may take to give memory back after a decrease.")
    var balloonTimeout: Int = 120

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a host's apply lock held by another apply (default: 0, fail at once).")
    var lockTimeout: Int = 0

    @Flag(help: "Print progress and the summary as JSON lines.")
    var json = false

    func validate() throws {
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1, not \(parallelism)") }
        guard balloonTimeout >= 0 else { throw ValidationError("--balloon-timeout must not be negative") }
        guard (0...86_400).contains(lockTimeout) else { throw ValidationError("--lock-timeout must be 0 to 86400 seconds") }
    }

    func run() async throws {
        var ok = false
        try await guarded { ok = try await apply() }
        if !ok { throw ExitCode.failure }
    }

    /// Returns whether everything meant to run did.
    private func apply() async throws -> Bool {
        let source = try ApplySource.resolve(target)
        if case .savedPlan = source {
            if !planning.hosts.isEmpty { throw ApplyMessages.planningFlagOnSavedPlan("--host") }
            if !planning.domains.isEmpty { throw ApplyMessages.planningFlagOnSavedPlan("--domain") }
        }
        let directory = source.manifestDirectory
        let session = try LabSession.open(directory: directory, stateDirectory: state.path)
        for warning in session.warnings { Console.err(warning.description) }
        try LabSession.checkHosts(planning.hosts, in: session.lab, directory: directory, flag: "--host")
        try LabSession.checkHosts(planning.skipUnreachable, in: session.lab, directory: directory, flag: "--skip-unreachable")

        var savedPlan: Plan?
        if case let .savedPlan(_, plan) = source { savedPlan = plan }
        let journalPath = state.journalPath
        let request = ApplyRequest(
            lab: session.lab, drivers: session.drivers, skipUnreachable: Set(planning.skipUnreachable), savedPlan: savedPlan,
            planOptions: planning.planOptions(), maxDisruption: maxDisruption, allowDestroy: allowDestroy,
            interactive: !autoApprove, parallelism: parallelism, balloonTimeout: .seconds(balloonTimeout),
            journalPath: journalPath, lockTimeout: .seconds(lockTimeout))
        let style = Style(enabled: Console.colorEnabled)
        let delegate = ApplyConsole(
            json: json, directory: directory, domains: planning.domains, journalPath: journalPath,
            runID: request.runID, lab: session.lab, style: style, interactive: !autoApprove)
        let runner = ApplyRunner(request: request, delegate: delegate, json: json, directory: directory, style: style)
        return try await runner.run { ApplyMessages.failure($0, source: source, state: state) }
    }
}

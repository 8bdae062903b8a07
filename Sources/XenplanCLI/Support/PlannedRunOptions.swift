import ArgumentParser
import Executor
import Planner

/// What `backup` and `restore` share: where the manifests are, the state directory, how
/// long to wait for a held lock, JSON output; and the run itself, on the apply machinery.
struct PlannedRunOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .customLong("directory")], help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var verbosity: VerboseOption

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a host's apply lock held by another run (default: 0, fail at once).")
    var lockTimeout: Int = 0

    @Flag(help: "Print progress and the summary as JSON lines.")
    var json = false

    func validate() throws {
        guard (0...86_400).contains(lockTimeout) else { throw ValidationError("--lock-timeout must be 0 to 86400 seconds") }
    }

    /// Loads the lab, then plans and carries out `purpose` as `apply` would; returns
    /// whether everything meant to run did. `verb` names the command (`backup`).
    func run(
        _ purpose: ApplyPurpose, verb: String, planOptions: PlanOptions = PlanOptions(xenplanVersion: XenplanMain.version),
        interactive: Bool, nothingToDo: String
    ) async throws -> Bool {
        let session = try LabSession.open(directory: directory, stateDirectory: state.path)
        for warning in session.warnings { Console.err(warning.description) }
        let journalPath = state.journalPath
        let request = ApplyRequest(
            lab: session.lab, drivers: session.drivers, planOptions: planOptions, interactive: interactive,
            journalPath: journalPath, lockTimeout: .seconds(lockTimeout), purpose: purpose)
        let style = Style(enabled: Console.colorEnabled)
        let delegate = ApplyConsole(
            json: json, directory: directory, domains: [], journalPath: journalPath, runID: request.runID, lab: session.lab,
            style: style, interactive: interactive, command: purpose.command)
        let runner = ApplyRunner(
            request: request, delegate: delegate, json: json, directory: directory, style: style, nothingToDo: nothingToDo, verb: verb)
        return try await runner.run { UserFacingError($0.description) }
    }
}

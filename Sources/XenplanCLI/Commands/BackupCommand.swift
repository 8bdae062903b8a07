import ArgumentParser
import Executor
import Planner

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up domains' disks as their backup policy says (every domain with a policy when none is named).",
        discussion: "See docs/backups.md: snapshots, consistency levels, the backup pool's layout, retention."
    )

    @Argument(help: "Domains to back up (default: every domain with a backup policy).")
    var domains: [String] = []

    @Option(name: [.customShort("C"), .customLong("directory")], help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a host's apply lock held by another run (default: 0, fail at once).")
    var lockTimeout: Int = 0

    @Flag(help: "Print progress and the summary as JSON lines.")
    var json = false

    func validate() throws {
        guard (0...86_400).contains(lockTimeout) else { throw ValidationError("--lock-timeout must be 0 to 86400 seconds") }
    }

    func run() async throws {
        var ok = false
        try await guarded { ok = try await backup() }
        if !ok { throw ExitCode.failure }
    }

    private func backup() async throws -> Bool {
        let session = try LabSession.open(directory: directory, stateDirectory: state.path)
        for warning in session.warnings { Console.err(warning.description) }
        let journalPath = state.journalPath
        // A backup is what was asked for and loses nothing: it runs without a question.
        let request = ApplyRequest(
            lab: session.lab, drivers: session.drivers, planOptions: PlanOptions(xenplanVersion: XenplanMain.version),
            interactive: false,
            journalPath: journalPath, lockTimeout: .seconds(lockTimeout), purpose: .backup(domains: domains))
        let style = Style(enabled: Console.colorEnabled)
        let delegate = ApplyConsole(
            json: json, directory: directory, domains: [], journalPath: journalPath, runID: request.runID, lab: session.lab,
            style: style, interactive: false, command: "xenplan backup")
        let runner = ApplyRunner(
            request: request, delegate: delegate, json: json, directory: directory, style: style,
            nothingToDo: "Nothing to back up.", verb: "backup")
        return try await runner.run { UserFacingError($0.description) }
    }
}

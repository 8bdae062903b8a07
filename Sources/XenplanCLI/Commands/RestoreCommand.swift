import ArgumentParser
import Executor
import Planner

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a domain's disks from a backup: into new volumes, or over its own with --allow-data-loss.",
        discussion: "The manifests stay the source of the configuration; see docs/backups.md."
    )

    @Argument(help: "The domain whose backup is restored.")
    var domain: String

    @Option(name: .customLong("from"), help: "The backup's id (default: the newest), as `xenplan backups` lists it.")
    var id: String?

    @Option(name: .customLong("as"), help: "Restore into new volumes named for this domain name, leaving the domain's own alone.")
    var newName: String?

    @Option(name: [.customShort("C"), .customLong("directory")], help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions

    @Flag(name: .customLong("allow-data-loss"), help: "Restore over the domain's current volumes (the domain must be stopped).")
    var allowDataLoss = false

    @Flag(name: .customLong("auto-approve"), help: "Do not ask for confirmation.")
    var autoApprove = false

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a host's apply lock held by another run (default: 0, fail at once).")
    var lockTimeout: Int = 0

    @Flag(help: "Print progress and the summary as JSON lines.")
    var json = false

    func validate() throws {
        guard (0...86_400).contains(lockTimeout) else { throw ValidationError("--lock-timeout must be 0 to 86400 seconds") }
    }

    func run() async throws {
        var ok = false
        try await guarded { ok = try await restore() }
        if !ok { throw ExitCode.failure }
    }

    private func restore() async throws -> Bool {
        let session = try LabSession.open(directory: directory, stateDirectory: state.path)
        for warning in session.warnings { Console.err(warning.description) }
        var options = PlanOptions(xenplanVersion: XenplanMain.version)
        options.allowDataLoss = allowDataLoss
        let journalPath = state.journalPath
        let request = ApplyRequest(
            lab: session.lab, drivers: session.drivers, planOptions: options, interactive: !autoApprove,
            journalPath: journalPath, lockTimeout: .seconds(lockTimeout),
            purpose: .restore(domain: domain, id: id, newName: newName))
        let style = Style(enabled: Console.colorEnabled)
        let delegate = ApplyConsole(
            json: json, directory: directory, domains: [], journalPath: journalPath, runID: request.runID, lab: session.lab,
            style: style, interactive: !autoApprove, command: "xenplan restore")
        let runner = ApplyRunner(
            request: request, delegate: delegate, json: json, directory: directory, style: style,
            nothingToDo: "Nothing to restore.", verb: "restore")
        let restored = try await runner.run { UserFacingError($0.description) }
        if restored, let newName, !json {
            Console.out(
                "The disks are restored as volumes of \(newName); declare a domain \(newName) with the same disks in the manifests to run it (`xenplan plan` shows the volumes as unused until then)."
            )
        }
        return restored
    }
}

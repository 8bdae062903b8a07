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

    @Flag(name: .customLong("allow-data-loss"), help: "Restore over the domain's current volumes (the domain must be stopped).")
    var allowDataLoss = false

    @Flag(name: .customLong("auto-approve"), help: "Do not ask for confirmation.")
    var autoApprove = false

    @OptionGroup var options: PlannedRunOptions

    func run() async throws {
        var ok = false
        try await guarded { ok = try await restore() }
        if !ok { throw ExitCode.failure }
    }

    private func restore() async throws -> Bool {
        var planOptions = PlanOptions(xenplanVersion: XenplanMain.version)
        planOptions.allowDataLoss = allowDataLoss
        let restored = try await options.run(
            .restore(domain: domain, id: id, newName: newName), verb: "restore", planOptions: planOptions, interactive: !autoApprove,
            nothingToDo: "Nothing to restore.")
        if restored, let newName, !options.json {
            Console.out(
                "The disks are restored as volumes of \(newName); declare a domain \(newName) with the same disks in the manifests to run it (`xenplan plan` shows the volumes as unused until then)."
            )
        }
        return restored
    }
}

import ArgumentParser
import Executor
import Planner

struct BackupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backups",
        abstract: "List the complete backups the hosts see in the lab's backup pools.",
        discussion: "Read-only: observes every host, changes nothing. See docs/backups.md."
    )

    @Argument(help: "Only the backups of this domain.")
    var domain: String?

    @Option(name: [.customShort("C"), .customLong("directory")], help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var verbosity: VerboseOption

    @Flag(help: "Print the backup records as JSON.")
    var json = false

    func run() async throws {
        try await guarded {
            let session = try LabSession.open(directory: directory, stateDirectory: state.path)
            for warning in session.warnings { Console.err(warning.description) }
            let observation = try await session.observe()
            let records = BackupPlanner.backups(in: observation.states, domain: domain)
            let list = BackupList(records: records)
            Console.out(json ? try list.json() : list.render())
        }
    }
}

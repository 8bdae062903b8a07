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

    @OptionGroup var options: PlannedRunOptions

    func run() async throws {
        var ok = false
        try await guarded {
            // A backup is what was asked for and loses nothing: it runs without a question.
            ok = try await options.run(.backup(domains: domains), verb: "backup", interactive: false, nothingToDo: "Nothing to back up.")
        }
        if !ok { throw ExitCode.failure }
    }
}

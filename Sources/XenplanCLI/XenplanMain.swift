import ArgumentParser

public struct XenplanMain: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "xenplan",
        abstract: "Declarative desired-state reconciler for Xen hosts.",
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self, PlanCommand.self, ApplyCommand.self, UnlockCommand.self, StatusCommand.self, DriftCommand.self, ImportCommand.self,
            ConsoleCommand.self, BackupCommand.self, BackupsCommand.self, RestoreCommand.self, AgentCommand.self, SimCommand.self,
        ]
    )
    public init() {}

    /// The process entry point: parses the arguments and runs the command asynchronously.
    public static func runAsync() async {
        let main: () async -> Void = Self.main
        await main()
    }
}

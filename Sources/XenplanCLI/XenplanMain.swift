import ArgumentParser
import FoundationEssentials
import Manifest
import XenplanBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public struct XenplanMain: AsyncParsableCommand {
    /// The version plans, backups and the agent's hello carry; `--version` adds the commit.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "xenplan",
        abstract: "Declarative desired-state reconciler for Xen hosts.",
        version: BuildInfo.versionLine(version: version),
        subcommands: [
            ValidateCommand.self, PlanCommand.self, ShowCommand.self, ApplyCommand.self, UnlockCommand.self, StatusCommand.self, DriftCommand.self,
            ImportCommand.self,
            ConsoleCommand.self, ConfigCommand.self, BackupCommand.self, BackupsCommand.self, RestoreCommand.self, AgentCommand.self, SimCommand.self,
            SchemaCommand.self,
        ]
    )
    public init() {}

    /// The process entry point: parses the arguments and runs the command asynchronously.
    public static func runAsync() async {
        if let word = CommandLine.arguments.dropFirst().first, let message = unknownCommand(word) {
            _ = writeFully(2, Data((message + "\n").utf8))
            Glibc.exit(ExitCode.validationFailure.rawValue)
        }
        VerboseLogHandler.bootstrap()
        let main: () async -> Void = Self.main
        await main()
    }

    /// `error: unknown command 'paln'; did you mean 'plan'?` for a first argument that is
    /// neither an option nor a command, when one is close; nil otherwise (the parser then
    /// says what it says).
    static func unknownCommand(_ word: String) -> String? {
        guard !word.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !names.contains(word), let near = Suggestion.closest(to: word, among: names) else { return nil }
        return "error: unknown command \(shownValue(word)); did you mean '\(near)'? (`xenplan --help` lists them)"
    }
}

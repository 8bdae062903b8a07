import ArgumentParser

public struct XenplanMain: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "xenplan",
        abstract: "Declarative desired-state reconciler for Xen hosts.",
        version: "0.1.0",
        subcommands: [ValidateCommand.self]
    )
    public init() {}
}

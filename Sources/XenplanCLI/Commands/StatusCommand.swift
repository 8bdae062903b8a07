import ArgumentParser

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Live view of every host: domains, memory and vCPU use against capacity."
    )

    @Argument(help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions

    @Option(name: .customLong("host"), help: "Only this host (repeatable).")
    var hosts: [String] = []

    func run() async throws {
        try await guarded {
            let session = try LabSession.open(directory: directory, stateDirectory: state.path, hostFilter: hosts)
            let (observed, elapsed) = try await session.observe()
            Console.out(ObservationLine(states: observed, elapsed: elapsed).render() + "\n")
            Console.out(StatusText(hosts: observed, lab: session.lab, style: .current).render())
        }
    }
}

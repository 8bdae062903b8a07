import ArgumentParser
import Executor

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Live view of every host: domains, memory and vCPU use against capacity."
    )

    @Argument(help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions

    @Option(name: .customLong("host"), help: "Only show this host (repeatable); every host is still observed.")
    var hosts: [String] = []

    func run() async throws {
        try await guarded {
            let session = try LabSession.open(directory: directory, stateDirectory: state.path)
            try LabSession.checkHosts(hosts, in: session.lab, directory: directory, flag: "--host")
            let observation = try await session.observe()
            let shown = observation.states.filter { hosts.isEmpty || hosts.contains($0.name) }
            Console.out(ObservationLine(observation).render() + "\n")
            Console.out(StatusText(hosts: shown, lab: session.lab, style: .current).render())
        }
    }
}

import ArgumentParser
import Executor
import FoundationEssentials

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Live view of every host: domains, memory and vCPU use against capacity."
    )

    @Argument(help: "Directory of manifests (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var verbosity: VerboseOption

    @Option(name: .customLong("host"), help: "Only show this host (repeatable); every host is still observed.")
    var hosts: [String] = []

    @Flag(help: "Print the hosts and their guests as JSON (`{\"format\": 1, \"hosts\": [...]}`), without the observation line.")
    var json = false

    func run() async throws {
        try await guarded {
            let session = try LabSession.open(directory: directory, stateDirectory: state.path)
            try LabSession.checkHosts(hosts, in: session.lab, directory: directory, flag: "--host")
            let observation = try await session.observe()
            let shown = observation.states.filter { hosts.isEmpty || hosts.contains($0.name) }
            if json {
                struct Report: Encodable {
                    var format = 1
                    var hosts: [HostStatus]
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let report = Report(hosts: shown.map { HostStatus($0, spec: session.lab.host($0.name)) })
                Console.out(String(decoding: try encoder.encode(report), as: UTF8.self))
                return
            }
            Console.out(ObservationLine(observation).render() + "\n")
            Console.out(StatusText(hosts: shown, lab: session.lab, style: .current).render())
        }
    }
}

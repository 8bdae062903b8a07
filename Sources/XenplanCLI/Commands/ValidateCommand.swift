import ArgumentParser
import Manifest
import XenplanBasics

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Load and check the manifests; print every problem with file:line:column. No host is contacted."
    )

    @Argument(help: "Directory of *.yaml / *.yml manifests (default: current directory).")
    var directory: String = "."

    func run() async throws {
        try await guarded {
            let loaded = try ManifestLoader.load(directory: directory)
            for warning in loaded.warnings.sortedByLocation() { Console.err(warning.description) }
            Console.out(LabSummary(loaded.lab).line(for: directory))
        }
    }
}

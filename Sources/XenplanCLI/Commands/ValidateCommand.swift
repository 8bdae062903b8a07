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

/// `examples/lab: 2 hosts, 15 domains, 3 pools, 3 groups — valid`
struct LabSummary {
    var lab: Lab
    init(_ lab: Lab) { self.lab = lab }

    func line(for directory: String) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let parts = [
            count(lab.hosts.count, "host"), count(lab.domains.count, "domain"),
            count(lab.pools.count, "pool"), count(lab.groups.count, "group"),
        ]
        return "\(directory): \(parts.joined(separator: ", ")) — valid"
    }
}

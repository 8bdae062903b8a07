import ArgumentParser
import FoundationEssentials
import HostModel
import Manifest
import XenplanBasics

/// `xenplan import --host H [DIR]`: manifests for the domains a host runs, so that an
/// existing lab can be adopted. What a domain *is* now (observed memory target, online
/// vCPUs, scheduler, devices) wins over any older configuration file; the file gives
/// what observation cannot (boot method, protect).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Print manifests (YAML) for the domains that exist on a host, to adopt an existing lab."
    )

    @Argument(help: "Directory of manifests declaring the host (default: current directory).")
    var directory: String = "."

    @OptionGroup var state: StateOptions
    @OptionGroup var verbosity: VerboseOption

    @Option(name: .customLong("host"), help: "The host whose domains to import.")
    var host: String

    func run() async throws {
        try await guarded {
            let session = try LabSession.open(directory: directory, stateDirectory: state.path, hostFilter: [host])
            let observed = try await session.observe().states
            guard let hostState = observed.first else { throw UserFacingError("host \(host): nothing observed") }
            Console.out(ImportedManifest(host: hostState, lab: session.lab).render())
        }
    }
}

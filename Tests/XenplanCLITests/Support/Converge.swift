import Foundation
import HostModel
import Manifest
import Planner
import SimDriver

@testable import XenplanCLI

/// Brings simulated hosts to a lab's desired state without the executor: plans, then
/// performs every operation in plan order. Lets read-only commands be tested on a
/// converged lab.
enum Converge {
    static func lab(at directory: String, stateDirectory: URL) async throws {
        let lab = try ManifestLoader.load(directory: directory).lab
        var drivers: [String: any HostDriver] = [:]
        for host in lab.hosts {
            drivers[host.name] = try HostConnector.driver(for: host, in: lab, stateDirectory: stateDirectory.path)
        }
        var observed: [HostState] = []
        for name in drivers.keys.sorted() { observed.append(try await drivers[name]!.observe()) }
        let plan = try Planner.plan(lab: lab, observed: observed)
        for action in plan.actions {
            for operation in action.operations { try await drivers[action.host]!.perform(operation) }
        }
    }
}

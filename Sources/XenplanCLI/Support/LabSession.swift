import Foundation
import HostModel
import Manifest
import XenplanBasics

/// A loaded lab and the drivers of its hosts: what every host-contacting command starts from.
struct LabSession {
    var directory: String
    var lab: Lab
    var warnings: [Diagnostic]
    var drivers: [any HostDriver]

    /// Loads and validates the manifests, then connects to the hosts (all, or only `hostFilter`).
    static func open(directory: String, stateDirectory: String, hostFilter: [String] = []) throws -> LabSession {
        let loaded = try ManifestLoader.load(directory: directory)
        let unknown = hostFilter.filter { loaded.lab.host($0) == nil }
        if !unknown.isEmpty {
            let known = loaded.lab.hosts.map(\.name).joined(separator: ", ")
            throw UserFacingError("--host \(unknown.joined(separator: ", ")): no such host in \(directory) (hosts: \(known))")
        }
        let hosts = loaded.lab.hosts.filter { hostFilter.isEmpty || hostFilter.contains($0.name) }
        let drivers = try hosts.map { try HostConnector.driver(for: $0, in: loaded.lab, stateDirectory: stateDirectory) }
        return LabSession(directory: directory, lab: loaded.lab, warnings: loaded.warnings, drivers: drivers)
    }

    /// Observes every host in parallel; the whole takes as long as the slowest host.
    /// A host that cannot be read fails the observation with its name.
    func observe() async throws -> (states: [HostState], elapsed: Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let states = try await withThrowingTaskGroup(of: HostState.self) { group in
            for driver in drivers {
                group.addTask {
                    do {
                        return try await driver.observe()
                    } catch let error as HostError {
                        throw error
                    } catch {
                        throw HostError(host: driver.hostName, operation: "observe", message: "\(error)")
                    }
                }
            }
            var states: [HostState] = []
            for try await state in group { states.append(state) }
            return states.sorted { $0.name < $1.name }
        }
        return (states, clock.now - start)
    }
}

extension Duration {
    /// Whole milliseconds, for progress lines.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

import Executor
import FoundationEssentials
import HostModel
import Manifest
import XenplanBasics

/// A loaded lab and the drivers of its hosts: what every host-contacting command starts from.
struct LabSession {
    var directory: String
    var lab: Lab
    var warnings: [Diagnostic]
    var drivers: [any HostDriver & HostLocking]

    /// Loads and validates the manifests, then connects to the hosts: every host of the
    /// lab, since targeting selects actions and never narrows observation (`hostFilter`
    /// is for the commands about one host only: `import`, `unlock`).
    static func open(directory: String, stateDirectory: String, hostFilter: [String] = []) throws -> LabSession {
        let loaded = try ManifestLoader.load(directory: directory)
        try checkHosts(hostFilter, in: loaded.lab, directory: directory, flag: "--host")
        let hosts = loaded.lab.hosts.filter { hostFilter.isEmpty || hostFilter.contains($0.name) }
        let drivers = try HostConnector.drivers(for: hosts, in: loaded.lab, stateDirectory: stateDirectory)
        return LabSession(directory: directory, lab: loaded.lab, warnings: loaded.warnings, drivers: drivers)
    }

    /// An error for every name that is not a host of the lab, with the closest one.
    static func checkHosts(_ names: [String], in lab: Lab, directory: String, flag: String) throws {
        let known = lab.hosts.map(\.name)
        let unknown = names.filter { !known.contains($0) }
        guard !unknown.isEmpty else { return }
        throw UserFacingError(
            unknown.map { name in
                "\(flag) \(shownValue(name)): no such host in \(directory)"
                    + (Suggestion.closest(to: name, among: known).map { "; did you mean '\($0)'?" } ?? " (hosts: \(known.joined(separator: ", ")))")
            }.joined(separator: "\nerror: "))
    }

    /// The same for `--domain`: a name declared in the manifests or seen on a host.
    static func checkDomains(_ names: [String], in lab: Lab, observed: [HostState], directory: String) throws {
        var known = Set(lab.domains.map(\.name))
        for state in observed { for d in state.guests { known.insert(d.name) } }
        let unknown = names.filter { !known.contains($0) }
        guard !unknown.isEmpty else { return }
        throw UserFacingError(
            unknown.map { name in
                "--domain \(shownValue(name)): no domain of that name is declared in \(directory) or runs on a host"
                    + (Suggestion.closest(to: name, among: known.sorted()).map { "; did you mean '\($0)'?" } ?? "")
            }.joined(separator: "\nerror: "))
    }

    /// Observes every host in parallel; the whole takes as long as the slowest host. A
    /// host that cannot be read stops the command, unless it is in `skipping`.
    func observe(skipping: [String] = []) async throws -> LabObservation {
        try LabSession.checkHosts(skipping, in: lab, directory: directory, flag: "--skip-unreachable")
        do {
            return try await LabObservation.observe(drivers, skipping: Set(skipping))
        } catch {
            throw UserFacingError(error.description)
        }
    }
}

extension Duration {
    /// Whole milliseconds, for progress lines.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

import HostModel
import Manifest
import XenplanBasics

/// Every difference between the manifests and the hosts, classified. Pure: built from
/// the lab, the observed hosts and the plan that would converge them.
public struct DriftReport: Codable, Hashable, Sendable {
    public var lab: String?
    public var items: [DriftItem]
    /// Every domain the report covers (declared or observed), for per-domain output.
    public var domains: [String]

    public var inSync: Bool { items.isEmpty }

    public var counts: [DriftClass: Int] { items.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 } }

    /// Only the differences on `hosts` (and those tied to no host), and the domains that
    /// run, or are declared, there: for `drift --host`.
    public func limited(to hosts: Set<String>, lab: Lab, observed: [HostState]) -> DriftReport {
        var report = self
        report.items = items.filter { $0.host.map(hosts.contains) ?? true }
        var kept = Set(report.items.compactMap(\.domain))
        for state in observed where hosts.contains(state.name) { kept.formUnion(state.guests.map(\.name)) }
        for d in lab.domains where d.host.map(hosts.contains) ?? false { kept.insert(d.name) }
        report.domains = domains.filter(kept.contains)
        return report
    }

    public init(lab: Lab, observed: [HostState], plan: Plan) {
        self.lab = lab.name
        var items: [DriftItem] = []
        var explained = Set<String>()
        let declared = Dictionary(uniqueKeysWithValues: lab.domains.map { ($0.name, $0) })

        for host in observed {
            for domain in host.guests where domain.transient == nil {
                guard let config = host.config(named: domain.name) else { continue }
                let changes = Self.outOfBandChanges(domain, config)
                if !changes.isEmpty {
                    items.append(
                        DriftItem(
                            kind: .changedOutOfBand, host: host.name, domain: domain.name,
                            message: changes.joined(separator: "; ")))
                    explained.insert(domain.name)
                }
                if declared[domain.name]?.state == .running, [.crashed, .shutdown, .dying].contains(domain.state) {
                    items.append(
                        DriftItem(
                            kind: .missing, host: host.name, domain: domain.name,
                            message: "declared running, but \(domain.state.rawValue)"))
                    explained.insert(domain.name)
                }
            }
        }
        let running = Set(observed.flatMap { $0.guests.map(\.name) })
        let configured = Dictionary(observed.flatMap { host in host.configs.map { ($0.name, host.name) } }, uniquingKeysWith: { a, _ in a })
        let saved = Dictionary(
            observed.flatMap { host in host.saves.filter { !$0.partial }.map { ($0.domain, (host.name, $0.path)) } }, uniquingKeysWith: { a, _ in a })
        for spec in lab.domains where spec.state == .running && !running.contains(spec.name) {
            let message =
                saved[spec.name].map { "declared running; suspended (save file \($0.1) on \($0.0))" }
                ?? configured[spec.name].map { "declared running; configured on \($0) but not running (shut down or never started)" }
                ?? "declared running; does not exist on any host (not created yet)"
            items.append(
                DriftItem(kind: .missing, host: saved[spec.name]?.0 ?? configured[spec.name] ?? spec.host, domain: spec.name, message: message))
            explained.insert(spec.name)
        }

        for notice in plan.notices {
            let kind: DriftClass
            switch notice.kind {
            case .unmanaged: kind = .unmanaged
            case .pendingRestart: kind = .pendingRestart
            case .orphanVolume: kind = .orphanVolume
            default: kind = .notApplied
            }
            items.append(DriftItem(kind: kind, host: notice.host, domain: notice.domain, message: notice.message))
        }
        for action in plan.actions {
            guard let domain = action.domain, !explained.contains(domain) else { continue }
            // Volumes and bridges created for a missing domain are part of its creation.
            items.append(
                DriftItem(
                    kind: .notApplied, host: action.host, domain: domain,
                    message: "\(action.kind.word): \(action.summary)"))
            explained.insert(domain)
        }
        // A volume to create belongs to a missing domain's creation, already reported.
        for action in plan.actions where action.domain == nil && action.kind != .createVolume {
            items.append(DriftItem(kind: .notApplied, host: action.host, domain: nil, message: "\(action.kind.word): \(action.summary)"))
        }

        self.items = items.sorted {
            ($0.domain ?? "", $0.host ?? "", $0.kind.rawValue, $0.message) < ($1.domain ?? "", $1.host ?? "", $1.kind.rawValue, $1.message)
        }
        self.domains = Set(lab.domains.map(\.name)).union(observed.flatMap { $0.guests.map(\.name) }).sorted()
    }

    /// What differs between a running domain and the configuration xenplan wrote for it.
    /// Static maximum and boot changes are not listed: they take effect at the next boot
    /// and show as pending restarts.
    static func outOfBandChanges(_ domain: DomainState, _ config: DomainConfig) -> [String] {
        var changes: [String] = []
        if domain.memoryTarget != config.memory {
            changes.append("memory target \(domain.memoryTarget), xenplan set \(config.memory)")
        }
        if domain.vcpusOnline != config.vcpus {
            changes.append("\(domain.vcpusOnline) vCPUs online, xenplan set \(config.vcpus)")
        }
        if domain.cpuWeight != config.cpuWeight || domain.cpuCap != config.cpuCap {
            changes.append("scheduler weight \(domain.cpuWeight) cap \(domain.cpuCap), xenplan set weight \(config.cpuWeight) cap \(config.cpuCap)")
        }
        let observedDisks = Set(domain.disks.map(\.vdev)), configuredDisks = Set(config.disks.map(\.vdev))
        if observedDisks != configuredDisks {
            changes.append("disks \(observedDisks.sorted().joined(separator: ",")), xenplan set \(configuredDisks.sorted().joined(separator: ","))")
        }
        let observedMacs = Set(domain.nics.map { $0.mac.lowercased() })
        let configuredMacs = Set(config.nics.compactMap { $0.mac?.lowercased() })
        if !configuredMacs.isSubset(of: observedMacs) || observedMacs.count != config.nics.count {
            changes.append(
                "network interfaces \(observedMacs.sorted().joined(separator: ",")), xenplan set \(config.nics.map { $0.mac ?? "auto" }.joined(separator: ","))"
            )
        }
        return changes
    }
}

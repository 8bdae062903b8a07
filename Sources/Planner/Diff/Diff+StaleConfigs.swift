import HostModel
import Manifest
import XenplanBasics

/// A declared domain's configuration on a host where it does not run and is not going:
/// removed, since a reboot of that host (xendomains) would start a second copy on the
/// same disks.
extension Diff {
    mutating func planStaleConfigs() {
        for d in desired.lab.domains {
            let configured = (observed.configOn[d.name] ?? []).filter { !clearedConfigs.contains("\($0)/\(d.name)") }
            guard !configured.isEmpty, let home = observed.runningOn[d.name]?.first ?? finalHost[d.name] else { continue }
            for host in configured where host != home && host != finalHost[d.name] {
                add(
                    Draft(
                        kind: .removeStaleConfig, host: host, domain: d.name,
                        summary: "remove the configuration of \(d.name), which runs on \(home)",
                        reason: "a reboot of \(host) would start a second \(d.name) on the same disks",
                        disruption: .none, operations: [.removeConfig(name: d.name)]))
            }
        }
    }
}

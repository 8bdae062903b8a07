import HostModel
import Manifest
import XenplanBasics

/// What the plan reports besides its actions: host usage, group quotas, N+1.
extension PlanBuilder {
    func hostUsage() -> [HostUsage] {
        var after: [String: Int] = [:]
        for entry in ledger.values where entry.up { after[entry.host, default: 0] += 1 }
        return hostNames.compactMap { name in
            guard let index = hosts[name] else { return nil }
            let before = index.state.domains.filter { $0.domid != 0 && $0.state.isUp && $0.transient != .incoming }.count
            let projectedUsage = projected[name] ?? index.initialUsage
            return HostUsage(host: name, memoryBefore: index.initialUsage.memory, memoryAfter: projectedUsage.memory,
                             memoryAvailable: index.limit.memory, vcpusBefore: index.initialUsage.vcpus,
                             vcpusAfter: projectedUsage.vcpus, vcpuLimit: index.limit.vcpus,
                             domainsBefore: before, domainsAfter: after[name] ?? 0)
        }
    }

    /// Group quotas hold for what will run after the plan (declared values, or observed
    /// ones where a change is pending).
    func checkQuotas() throws(PlanRefusal) {
        for group in lab.groups where group.memory != nil || group.vcpus != nil {
            let members = (groupMembers[group.name] ?? []).sorted()
            var memory = ByteSize.zero
            var vcpus = 0
            for name in members {
                guard let d = declared[name], d.state == .running else { continue }
                memory += quotaMemory[name] ?? d.memory
                vcpus += quotaVcpus[name] ?? d.vcpus
            }
            if let quota = group.memory, memory > quota {
                throw PlanRefusal(hosts: [], domains: members, shortfall: memory - quota,
                                  message: "group \(group.name) would use \(memory) of memory, quota \(quota): \((memory - quota).mib) MiB over ("
                                      + members.joined(separator: ", ") + "); lower its members' memory or raise the quota")
            }
            if let quota = group.vcpus, vcpus > quota {
                throw PlanRefusal(hosts: [], domains: members, shortfall: .zero,
                                  message: "group \(group.name) would use \(vcpus) vCPUs, quota \(quota): \(vcpus - quota) over ("
                                      + members.joined(separator: ", ") + "); lower its members' vCPUs or raise the quota")
            }
        }
    }
}

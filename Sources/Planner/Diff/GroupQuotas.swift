import Manifest
import XenplanBasics

/// Group quotas hold for what will run after the plan: declared values, or observed ones
/// where a change is pending (a restart the domain does not allow, a memory change Xen
/// cannot make).
struct GroupQuotas {
    /// Memory target and vCPUs a declared domain will run with where they differ from
    /// the manifests after the plan.
    var memory: [String: ByteSize] = [:]
    var vcpus: [String: Int] = [:]

    func check(_ desired: DesiredState) throws(PlanRefusal) {
        for group in desired.lab.groups where group.memory != nil || group.vcpus != nil {
            let members = (desired.groupMembers[group.name] ?? []).sorted()
            var memory = ByteSize.zero
            var vcpus = 0
            for name in members {
                guard let d = desired.declared[name], d.state == .running else { continue }
                memory += self.memory[name] ?? d.memory
                vcpus += self.vcpus[name] ?? d.vcpus
            }
            if let quota = group.memory, memory > quota {
                throw PlanRefusal(
                    hosts: [], domains: members, shortfall: memory - quota,
                    message: "group \(group.name) would use \(memory) of memory, quota \(quota): \((memory - quota).mib) MiB over ("
                        + members.joined(separator: ", ") + "); lower its members' memory or raise the quota")
            }
            if let quota = group.vcpus, vcpus > quota {
                throw PlanRefusal(
                    hosts: [], domains: members, shortfall: .zero,
                    message: "group \(group.name) would use \(vcpus) vCPUs, quota \(quota): \(vcpus - quota) over ("
                        + members.joined(separator: ", ") + "); lower its members' vCPUs or raise the quota")
            }
        }
    }
}

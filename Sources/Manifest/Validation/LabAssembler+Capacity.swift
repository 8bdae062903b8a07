import XenplanBasics

/// Quotas and capacities that the manifests alone prove exceeded. Only running domains
/// count: a stopped domain holds no memory and no vCPUs. Capacity of real hosts is
/// known only once they are observed; that check belongs to the planner.
extension LabAssembler {
    mutating func checkGroups() {
        let hostCount = hosts.count
        for group in groups.values.sorted(by: { $0.name < $1.name }) {
            let members = domains.filter { $0.spec.group == group.name }
            let what = "group '\(group.name)'"
            if group.spread {
                if members.count > hostCount {
                    diagnostics.append(.error("\(what) spreads \(members.count) domains over different hosts, but there \(hostCount == 1 ? "is" : "are") only \(hostCount) host\(hostCount == 1 ? "" : "s")",
                                              at: group.locations["spread"]))
                }
                var placed: [String: ResolvedDomain] = [:]
                for member in members {
                    guard let host = member.declared.host else { continue }
                    if let first = placed[host.value] {
                        diagnostics.append(.error("domains '\(first.spec.name)' and '\(member.spec.name)' of spread \(what) are both on host '\(host.value)'",
                                                  at: host.location, notes: [.init("domain '\(first.spec.name)' is placed here", at: first.declared.host?.location)]))
                    } else {
                        placed[host.value] = member
                    }
                }
            }
            let running = members.filter { $0.spec.state == .running }
            if let quota = group.memory {
                let used = running.reduce(ByteSize.zero) { $0 + $1.spec.memory }
                if used > quota {
                    diagnostics.append(.error("running members of \(what) need \(used) of memory, more than its quota of \(quota)",
                                              at: group.locations["memory"], notes: memberNotes(running)))
                }
            }
            if let quota = group.vcpus {
                let used = running.reduce(0) { $0 + $1.spec.vcpus }
                if used > quota {
                    diagnostics.append(.error("running members of \(what) have \(used) vCPUs, more than its quota of \(quota)",
                                              at: group.locations["vcpus"], notes: memberNotes(running)))
                }
            }
        }
    }

    /// Simulated hosts describe their machine (`sim:`), so their capacity is known now.
    mutating func checkHostCapacity() {
        for host in hosts.values.sorted(by: { $0.name < $1.name }) where host.connection == .sim {
            let running = domains.filter { $0.spec.host == host.name && $0.spec.state == .running }
            guard !running.isEmpty else { continue }
            let what = "host '\(host.name)'"
            if let memory = host.simMemory, memory > host.dom0Memory {
                let capacity = memory - host.dom0Memory
                let used = running.reduce(ByteSize.zero) { $0 + $1.spec.memory }
                if used > capacity {
                    diagnostics.append(.error("domains declared on \(what) need \(used) of memory, more than the \(capacity) it has for guests (sim memory \(memory) less dom0's \(host.dom0Memory))",
                                              at: host.locations.object, notes: memberNotes(running)))
                }
            }
            if let cpus = host.simCpus {
                let capacity = cpus * host.vcpuRatio
                let used = running.reduce(0) { $0 + $1.spec.vcpus }
                if used > capacity {
                    diagnostics.append(.error("domains declared on \(what) have \(used) vCPUs, more than the \(capacity) it allows (\(cpus) CPUs × vcpuRatio \(host.vcpuRatio))",
                                              at: host.locations.object, notes: memberNotes(running)))
                }
            }
        }
    }

    /// One note per domain counted, so the user sees which ones to move or shrink.
    private func memberNotes(_ members: [ResolvedDomain]) -> [Diagnostic.Note] {
        members.map { .init("domain '\($0.spec.name)': \($0.spec.memory), \($0.spec.vcpus) vCPU\($0.spec.vcpus == 1 ? "" : "s")", at: $0.spec.locations.object) }
    }
}

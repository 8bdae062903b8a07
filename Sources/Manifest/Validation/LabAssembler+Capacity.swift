import XenplanBasics

/// Quotas and capacities that the manifests alone prove exceeded. Only running domains
/// count: a stopped domain holds no memory and no vCPUs. Capacity of real hosts is
/// known only once they are observed; that check belongs to the planner.
extension LabAssembler {
    mutating func checkGroups() {
        let hostCount = hosts.count
        let byGroup = domainIndices(by: \.group)
        for group in groups.values.sorted(by: { $0.name < $1.name }) {
            let members = (byGroup[group.name] ?? []).map { domains[$0] }
            if group.spread {
                if members.count > hostCount {
                    diagnostics.append(.spreadTooLarge(group.name, members: members.count, hosts: hostCount, at: group.locations["spread"]))
                }
                var placed: [String: ResolvedDomain] = [:]
                for member in members {
                    guard let host = member.declared.host else { continue }
                    if let first = placed[host.value] {
                        diagnostics.append(
                            .spreadSameHost(
                                group.name, host: host.value, domain: member.spec.name, at: host.location,
                                first: first.spec.name, firstAt: first.declared.host?.location))
                    } else {
                        placed[host.value] = member
                    }
                }
            }
            let running = (byGroup[group.name] ?? []).filter { domains[$0].spec.state == .running }
            if let quota = group.memory {
                let used = running.reduce(ByteSize.zero) { $0 + domains[$1].spec.memory }
                if used > quota {
                    diagnostics.append(
                        .groupMemoryQuota(
                            group.name, used: used, quota: quota, at: group.locations["memory"],
                            notes: memberNotes(running)))
                }
            }
            if let quota = group.vcpus {
                let used = running.reduce(0) { $0 + domains[$1].spec.vcpus }
                if used > quota {
                    diagnostics.append(
                        .groupVcpuQuota(
                            group.name, used: used, quota: quota, at: group.locations["vcpus"],
                            notes: memberNotes(running)))
                }
            }
        }
    }

    /// Simulated hosts describe their machine (`sim:`), so their capacity is known now.
    mutating func checkHostCapacity() {
        let byHost = domainIndices(by: \.host)
        for host in hosts.values.sorted(by: { $0.name < $1.name }) where host.connection == .sim {
            // Indices, not copies: a resolved domain is large, and there are thousands.
            let running = (byHost[host.name] ?? []).filter { domains[$0].spec.state == .running }
            guard !running.isEmpty else { continue }
            if let memory = host.simMemory, memory > host.dom0Memory {
                let capacity = memory - host.dom0Memory
                let used = running.reduce(ByteSize.zero) { $0 + domains[$1].spec.memory }
                if used > capacity {
                    diagnostics.append(.hostMemoryCapacity(host, used: used, at: host.locations.object, notes: memberNotes(running)))
                }
            }
            if let cpus = host.simCpus {
                let capacity = cpus * host.vcpuRatio
                let used = running.reduce(0) { $0 + domains[$1].spec.vcpus }
                if used > capacity {
                    diagnostics.append(.hostVcpuCapacity(host, used: used, at: host.locations.object, notes: memberNotes(running)))
                }
            }
        }
    }

    /// The positions in `domains` of each value of `key`, in domain order: one pass, so
    /// that checking every host or group does not walk every domain again.
    private func domainIndices(by key: KeyPath<DomainSpec, String?>) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for index in domains.indices {
            if let value = domains[index].spec[keyPath: key] { result[value, default: []].append(index) }
        }
        return result
    }

    /// One note per domain counted, so the user sees which ones to move or shrink.
    private func memberNotes(_ members: [Int]) -> [Diagnostic.Note] {
        members.map {
            let s = domains[$0].spec
            return .init("domain '\(s.name)': \(s.memory), \(s.vcpus) vCPU\(s.vcpus == 1 ? "" : "s")", at: s.locations.object)
        }
    }
}

extension Diagnostic {
    static func spreadTooLarge(_ group: String, members: Int, hosts: Int, at location: SourceLocation?) -> Diagnostic {
        .error(
            "group '\(group)' spreads \(members) domains over different hosts, but there \(hosts == 1 ? "is" : "are") only \(hosts) host\(hosts == 1 ? "" : "s")",
            at: location)
    }

    static func spreadSameHost(
        _ group: String, host: String, domain: String, at location: SourceLocation,
        first: String, firstAt: SourceLocation?
    ) -> Diagnostic {
        .error(
            "domains '\(first)' and '\(domain)' of spread group '\(group)' are both on host '\(host)'", at: location,
            notes: [.init("domain '\(first)' is placed here", at: firstAt)])
    }

    static func groupMemoryQuota(
        _ group: String, used: ByteSize, quota: ByteSize, at location: SourceLocation?,
        notes: [Note]
    ) -> Diagnostic {
        .error("running members of group '\(group)' need \(used) of memory, more than its quota of \(quota)", at: location, notes: notes)
    }

    static func groupVcpuQuota(_ group: String, used: Int, quota: Int, at location: SourceLocation?, notes: [Note]) -> Diagnostic {
        .error("running members of group '\(group)' have \(used) vCPUs, more than its quota of \(quota)", at: location, notes: notes)
    }

    static func hostMemoryCapacity(_ host: HostSpec, used: ByteSize, at location: SourceLocation?, notes: [Note]) -> Diagnostic {
        let memory = host.simMemory ?? .zero
        return .error(
            "domains declared on host '\(host.name)' need \(used) of memory, more than the \(memory - host.dom0Memory) it has for guests (sim memory \(memory) less dom0's \(host.dom0Memory))",
            at: location, notes: notes)
    }

    static func hostVcpuCapacity(_ host: HostSpec, used: Int, at location: SourceLocation?, notes: [Note]) -> Diagnostic {
        let cpus = host.simCpus ?? 0
        return .error(
            "domains declared on host '\(host.name)' have \(used) vCPUs, more than the \(cpus * host.vcpuRatio) it allows (\(cpus) CPUs × vcpuRatio \(host.vcpuRatio))",
            at: location, notes: notes)
    }
}

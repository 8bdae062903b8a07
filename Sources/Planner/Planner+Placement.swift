import HostModel
import Manifest
import XenplanBasics

/// Placement of declared domains without `host` that do not exist yet. A domain that
/// exists stays where it is (stable), so only new domains are placed.
extension PlanBuilder {
    /// Picks the host with the most free memory (after everything planned so far) that
    /// reaches the domain's pools, has its bridges, keeps `spread` groups apart and has
    /// room; ties go to the first name. Throws when only capacity is missing.
    mutating func place(_ d: DomainSpec) throws(PlanRefusal) {
        let running = d.state == .running
        let need = running ? Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus) : Resources()
        let spreadHosts: Set<String> = {
            guard let g = d.group, lab.group(g)?.spread == true else { return [] }
            return Set((groupMembers[g] ?? []).filter { $0 != d.name }.compactMap { finalHost[$0] })
        }()
        var best: (host: String, free: ByteSize)?
        var bestFreeOverall: (host: String, free: Resources)?
        var rejected: [String] = []
        for h in hostNames where hostSpecs[h] != nil {
            var why: [String] = []
            for disk in d.disks where disk.path == nil {
                guard let pool = pool(of: disk, on: h), pool.hosts.contains(h) else {
                    why.append("cannot reach pool \(disk.pool ?? "(none)")")
                    continue
                }
            }
            for disk in d.disks where disk.path == nil {
                if let image = disk.image, let size = disk.size, let problem = imageProblem(image, size: size, on: h) {
                    why.append(problem)
                }
            }
            let bridges = Set(hostSpecs[h]?.bridges.map(\.name) ?? [])
            for b in Set(d.network.map(\.bridge)).sorted() where !bridges.contains(b) { why.append("has no bridge \(b)") }
            if spreadHosts.contains(h) { why.append("already has a member of spread group \(d.group ?? "")") }
            if !why.isEmpty {
                rejected.append("\(h) " + why.joined(separator: ", "))
                continue
            }
            let free = free(on: h)
            if bestFreeOverall == nil || free.memory > bestFreeOverall!.free.memory { bestFreeOverall = (h, free) }
            guard need.memory <= free.memory, need.vcpus <= free.vcpus else { continue }
            if best == nil || free.memory > best!.free { best = (h, free.memory) }
        }
        guard let chosen = best else {
            if let (h, free) = bestFreeOverall {
                let short = need.memory - free.memory
                throw PlanRefusal(hosts: [h], domains: [d.name], shortfall: max(short, .zero),
                                  message: "cannot place \(d.name) (\(d.memory), \(Text.vcpus(d.vcpus))): no host has room; "
                                      + "the most free is \(h) with \(max(free.memory, .zero)) and \(max(free.vcpus, 0)) vCPUs"
                                      + (short.kib > 0 ? ", \(short.mib) MiB short" : ", too few vCPUs"))
            }
            notice(.unplaceable, host: nil, domain: d.name,
                   "\(d.name) has no host to go to: " + (rejected.isEmpty ? "no host is declared and observed" : rejected.joined(separator: "; ")) + "; not created")
            return
        }
        finalHost[d.name] = chosen.host
        planCreate(d, on: chosen.host, placed: true)
    }
}

import HostModel
import Manifest
import XenplanBasics

/// Where a declared domain without `host` that does not exist yet goes. A domain that
/// exists stays where it is (stable), so only new domains are placed.
struct Placement {
    enum Choice {
        case host(String)
        /// No host can take it, whatever the room: why, for a notice.
        case nowhere(String)
    }

    let desired: DesiredState
    let observed: ObservedState

    /// Picks the host with the most free memory (after everything planned so far) that
    /// reaches the domain's pools, has its bridges, keeps `spread` groups apart and has
    /// room; ties go to the first name. Throws when only capacity is missing.
    func choose(for d: DomainSpec, ledger: Ledger, finalHost: [String: String]) throws(PlanRefusal) -> Choice {
        let running = d.state == .running
        let need = running ? Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus) : Resources()
        let spreadHosts: Set<String> = {
            guard let g = d.group, desired.lab.group(g)?.spread == true else { return [] }
            return Set((desired.groupMembers[g] ?? []).filter { $0 != d.name }.compactMap { finalHost[$0] })
        }()
        var best: (host: String, free: ByteSize)?
        var bestFreeOverall: (host: String, free: Resources)?
        var rejected: [String] = []
        for h in observed.hostNames where desired.hostSpecs[h] != nil {
            var why: [String] = []
            for disk in d.disks where disk.path == nil {
                guard let pool = desired.pool(of: disk, on: h), pool.hosts.contains(h) else {
                    why.append("cannot reach pool \(disk.pool ?? "(none)")")
                    continue
                }
            }
            for disk in d.disks where disk.path == nil {
                if let image = disk.image, let size = disk.size,
                    let problem = desired.imageProblem(image, size: size, on: h, observed: observed)
                {
                    why.append(problem)
                }
            }
            let bridges = desired.bridges(on: h)
            for b in Set(d.network.map(\.bridge)).sorted() where !bridges.contains(b) { why.append("has no bridge \(b)") }
            if spreadHosts.contains(h) { why.append("already has a member of spread group \(d.group ?? "")") }
            if !why.isEmpty {
                rejected.append("\(h) " + why.joined(separator: ", "))
                continue
            }
            let free = ledger.free(on: h)
            if bestFreeOverall == nil || free.memory > bestFreeOverall!.free.memory { bestFreeOverall = (h, free) }
            guard need.memory <= free.memory, need.vcpus <= free.vcpus else { continue }
            if best == nil || free.memory > best!.free { best = (h, free.memory) }
        }
        if let chosen = best { return .host(chosen.host) }
        if let (h, free) = bestFreeOverall {
            let short = need.memory - free.memory
            throw PlanRefusal(
                hosts: [h], domains: [d.name], shortfall: max(short, .zero),
                message: "cannot place \(d.name) (\(d.memory), \(Text.vcpus(d.vcpus))): no host has room; "
                    + "the most free is \(h) with \(max(free.memory, .zero)) and \(max(free.vcpus, 0)) vCPUs"
                    + (short.kib > 0 ? ", \(short.mib) MiB short" : ", too few vCPUs"))
        }
        return .nowhere(
            "\(d.name) has no host to go to: "
                + (rejected.isEmpty ? "no host is declared and observed" : rejected.joined(separator: "; ")) + "; not created")
    }
}

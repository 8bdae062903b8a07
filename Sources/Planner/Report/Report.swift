import HostModel
import Manifest
import XenplanBasics

/// What the plan reports besides its actions and notices: each host's usage before and
/// after, and N+1, read from the ledger of where every guest will be.
struct Report {
    let desired: DesiredState
    let observed: ObservedState
    let ledger: Ledger

    func hostUsage() -> [HostUsage] {
        var after: [String: Int] = [:]
        for guest in ledger.upGuests { after[guest.entry.host, default: 0] += 1 }
        return observed.hostNames.compactMap { name in
            guard let index = observed.hosts[name] else { return nil }
            let before = index.state.domains.filter { $0.domid != 0 && $0.state.isUp && $0.transient != .incoming }.count
            let projectedUsage = ledger.projected[name] ?? index.initialUsage
            return HostUsage(
                host: name, memoryBefore: index.initialUsage.memory, memoryAfter: projectedUsage.memory,
                memoryAvailable: index.limit.memory, vcpusBefore: index.initialUsage.vcpus,
                vcpusAfter: projectedUsage.vcpus, vcpuLimit: index.limit.vcpus,
                domainsBefore: before, domainsAfter: after[name] ?? 0)
        }
    }

    /// Why N+1 cannot be judged: a host of the lab was not observed.
    var nPlusOneNotChecked: String? {
        let unobserved = desired.options.unobservedHosts
        guard !unobserved.isEmpty else { return nil }
        let names = unobserved.keys.sorted()
        return "\(names.count == 1 ? "host" : "hosts") \(names.joined(separator: ", ")) \(names.count == 1 ? "was" : "were") not observed"
    }

    /// How many more guests run on `host` once `actions` are done.
    static func domainDelta(_ actions: [PlannedAction], on host: String) -> Int {
        var delta = 0
        for a in actions {
            let starts = a.operations.contains { if case .create = $0 { true } else { false } }
            let stops = a.operations.contains { if case .shutdown = $0 { true } else { false } }
            switch a.kind {
            case .create, .start: if a.host == host && starts { delta += 1 }
            case .migrate, .move:
                if a.host == host { delta -= 1 }
                if a.targetHost == host { delta += 1 }
            case .stop, .destroy: if a.host == host && stops { delta -= 1 }
            case .resume: if a.host == host { delta += 1 }
            case .suspend: if a.host == host { delta -= 1 }
            default: break
            }
        }
        return delta
    }
}

import HostModel
import Manifest
import XenplanBasics

/// Hosts the user chose to skip because they could not be observed. What runs there is
/// unknown, so a declared guest that might be there must not be started anywhere else
/// (it would run twice, on the same disks), and no volume such a host reaches is judged
/// unused.
extension Diff {
    /// The first skipped host on which `d` might be running, when no observed host runs
    /// it: the host it is declared on, the one where an apply last started it, one where
    /// placement could have put it, or one that reaches a shared pool of its disks (it
    /// could have migrated there).
    func unobservedHostThatMayRun(_ d: DomainSpec) -> String? {
        let options = desired.options
        guard !options.unobservedHosts.isEmpty, observed.runningOn[d.name] == nil else { return nil }
        for host in options.unobservedHosts.keys.sorted() {
            if d.host == host || options.lastStartedHosts[d.name] == host { return host }
            let pools = d.disks.compactMap { $0.path == nil ? desired.pool(of: $0, on: host) : nil }
            if pools.contains(where: { $0.shared && $0.hosts.contains(host) }) { return host }
            if d.host == nil, pools.allSatisfy({ $0.hosts.contains(host) }) {
                let bridges = desired.bridges(on: host)
                if d.network.allSatisfy({ bridges.contains($0.bridge) }) { return host }
            }
        }
        return nil
    }

    /// Reports `d` as unknown when it may run on a skipped host; returns whether it did.
    mutating func holdIfMaybeUnobserved(_ d: DomainSpec) -> Bool {
        guard let host = unobservedHostThatMayRun(d) else { return false }
        let why = desired.options.unobservedHosts[host] ?? "not observed"
        finalHost[d.name] = host
        notice(
            .unknown, host: observed.configOn[d.name]?.first ?? d.host, domain: d.name,
            "\(d.name) may be running on \(host), which was not observed (\(why)): not created, started or moved until \(host) can be read")
        return true
    }

    /// Whether a volume in `container` is reached by a skipped host, where a guest nobody
    /// can see may be using it.
    func reachedByUnobservedHost(_ container: String) -> Bool {
        let unobserved = desired.options.unobservedHosts
        guard !unobserved.isEmpty else { return false }
        return desired.lab.pools.contains { pool in
            pool.container == container && pool.hosts.contains { unobserved[$0] != nil }
        }
    }
}

import HostModel
import Manifest
import XenplanBasics

/// N+1: whether each host's guests could restart on the others if it failed. A guest
/// counts as able to only if another host reaches every one of its disks, has its
/// bridges, and has room for it.
extension Report {
    /// What a guest needs of the host it would restart on.
    struct Needs {
        /// Pools of its managed disks; a disk on a device of its own host is `hostLocal`.
        var pools: [(vdev: String, pool: PoolSpec)] = []
        var hostLocal: [(vdev: String, target: String)] = []
        var bridges: [String] = []
        var memory: ByteSize
    }

    func needs(of name: String, on host: String, memory: ByteSize) -> Needs {
        var needs = Needs(memory: memory)
        if let d = desired.declared[name] {
            for disk in desired.resolveDisks(d, on: host) {
                if let pool = disk.pool, disk.volume != nil {
                    needs.pools.append((disk.vdev, pool))
                } else {
                    needs.hostLocal.append((disk.vdev, disk.target))
                }
            }
            needs.bridges = d.network.map(\.bridge)
        } else if let index = observed.hosts[host], let s = index.domain(name) {
            for disk in s.disks where disk.target != CloudInitSeed.path(domain: name) {
                let vdev = Normalize.vdev(disk.vdev)
                if let key = index.volumeByTarget[disk.target], let pool = desired.pool(container: key.container, reachedBy: host) {
                    needs.pools.append((vdev, pool))
                } else {
                    needs.hostLocal.append((vdev, disk.target))
                }
            }
            needs.bridges = s.nics.map(\.bridge)
        }
        needs.bridges = Array(Set(needs.bridges)).sorted()
        return needs
    }

    /// What decides where a guest could restart: guests with equal keys have the same
    /// obstacles and candidates, so those are worked out once per key, not per guest.
    struct NeedsKey: Hashable {
        var hostLocal: [String]
        var pools: [String]
        var bridges: [String]

        init(_ needs: Needs) {
            hostLocal = needs.hostLocal.prefix(1).flatMap { [$0.vdev, $0.target] }
            pools = needs.pools.flatMap { [$0.vdev, $0.pool.name] }
            bridges = needs.bridges
        }
    }

    /// Why `other` cannot take the guest, ignoring room; nil when it can. `bridges` are
    /// those `other` has or will have.
    func obstacle(_ needs: Needs, from failed: String, to other: String, bridges: Set<String>) -> String? {
        if let local = needs.hostLocal.first {
            return "disk \(local.vdev) is \(local.target), a device of \(failed) only"
        }
        if let (vdev, pool) = needs.pools.first(where: { !$0.pool.shared || !$0.pool.hosts.contains(other) }) {
            return pool.shared
                ? "disk \(vdev) is on pool \(pool.name), which \(other) does not reach"
                : "disk \(vdev) is on pool \(pool.name), which is not shared"
        }
        if let missing = needs.bridges.first(where: { !bridges.contains($0) }) {
            return "bridge \(missing) is not on \(other)"
        }
        return nil
    }

    /// The hosts among `others` that could take a guest with `needs`, in their order, or
    /// why none can.
    func candidates(
        _ needs: Needs, from failed: String, among others: [String], bridges: [String: Set<String>]
    ) -> Result<[String], Stranded> {
        var obstacles: [String] = []
        var candidates: [String] = []
        for h in others {
            if let why = obstacle(needs, from: failed, to: h, bridges: bridges[h] ?? []) {
                obstacles.append(why)
            } else {
                candidates.append(h)
            }
        }
        if candidates.isEmpty { return .failure(Stranded(reason: Array(Set(obstacles)).sorted().joined(separator: "; "))) }
        return .success(candidates)
    }

    /// Why no host could take a guest, whatever their room.
    struct Stranded: Error { var reason: String }

    /// For each observed host: the guests running there after the plan that could not
    /// restart on the other hosts (with their free memory after the plan, first-fit by
    /// decreasing size among the hosts that can take each), and why.
    func nPlusOne() -> [NPlusOne] {
        var byHost: [String: [(name: String, memory: ByteSize)]] = [:]
        for (name, entry) in ledger.upGuests { byHost[entry.host, default: []].append((name, entry.usage.memory)) }
        let hostNames = observed.hostNames
        var bridges: [String: Set<String>] = [:]
        for h in hostNames { bridges[h] = desired.bridges(on: h).union(observed.hosts[h]?.bridges ?? []) }
        var result: [NPlusOne] = []
        for failed in hostNames {
            let guests = (byHost[failed] ?? []).sorted { ($0.memory, $1.name) > ($1.memory, $0.name) }
            guard !guests.isEmpty else { continue }
            let others = hostNames.filter { $0 != failed }
            var room: [String: ByteSize] = [:]
            for h in others { room[h] = ledger.free(on: h).memory }
            var known: [NeedsKey: Result<[String], Stranded>] = [:]
            var stranded: [NPlusOne.Stranded] = []
            var roomShort: [ByteSize] = []
            for guest in guests {
                guard !others.isEmpty else {
                    stranded.append(.init(domain: guest.name, reason: "no other host"))
                    continue
                }
                let needs = needs(of: guest.name, on: failed, memory: guest.memory)
                let key = NeedsKey(needs)
                let outcome = known[key] ?? candidates(needs, from: failed, among: others, bridges: bridges)
                known[key] = outcome
                let candidates: [String]
                switch outcome {
                case let .failure(none):
                    stranded.append(.init(domain: guest.name, reason: none.reason))
                    continue
                case let .success(hosts): candidates = hosts
                }
                if let h = candidates.first(where: { room[$0]! >= guest.memory }) {
                    room[h]! -= guest.memory
                    continue
                }
                let best = candidates.map { room[$0]! }.max() ?? .zero
                let short = guest.memory - max(best, .zero)
                roomShort.append(short)
                stranded.append(
                    .init(
                        domain: guest.name,
                        reason: "no room: needs \(guest.memory), the most free is \(max(best, .zero)) (\(short.mib) MiB short)"))
            }
            guard !stranded.isEmpty else { continue }
            result.append(
                NPlusOne(
                    failedHost: failed, reasons: stranded,
                    shortfall: roomShort.reduce(ByteSize.zero) { $0 + $1 }))
        }
        return result
    }
}

/// The room on each host while the drafts are ordered. A taker *claims* room: from the
/// host's headroom first, then from the releasing actions in order, and depends on each
/// action it claims from. Every claim either exhausts a release or satisfies a taker, so
/// dependencies stay linear in the number of actions.
struct Scheduler {
    struct Release {
        var draft: Int
        var remaining: Int64
    }

    /// Per host and resource (0 = memory in KiB, 1 = vCPUs): headroom nobody claimed yet,
    /// and releases in scheduling order with what is left of them.
    var headroom: [String: [Int64]] = [:]
    var releases: [String: [[Release]]] = [:]
    var releaseHead: [String: [Int]] = [:]
    var releasable: [String: [Int64]] = [:]

    init(limits: [String: Resources], usage: [String: Resources]) {
        for (host, limit) in limits {
            let used = usage[host] ?? Resources()
            headroom[host] = [limit.memory.kib - used.memory.kib, Int64(limit.vcpus - used.vcpus)]
            releases[host] = [[], []]
            releaseHead[host] = [0, 0]
            releasable[host] = [0, 0]
        }
    }

    static func components(_ r: Resources) -> [Int64] { [r.memory.kib, Int64(r.vcpus)] }

    /// What is missing on `host` for `need`, per resource (zero when it fits).
    func shortfall(_ need: Resources, on host: String) -> [Int64] {
        let n = Self.components(need)
        let room = headroom[host] ?? [0, 0]
        let rel = releasable[host] ?? [0, 0]
        return (0..<2).map { i in n[i] > 0 ? max(0, n[i] - (room[i] + rel[i])) : 0 }
    }

    func fits(_ need: Resources, on host: String) -> Bool { shortfall(need, on: host).allSatisfy { $0 == 0 } }

    /// Takes `need` on `host`; returns the releasing drafts it now depends on.
    mutating func claim(_ need: Resources, on host: String) -> [Int] {
        var deps: [Int] = []
        let n = Self.components(need)
        for i in 0..<2 where n[i] > 0 {
            var rest = n[i]
            // A host already over its capacity must first get back under it.
            let room = headroom[host]![i]
            let fromRoom = max(0, min(rest, room))
            headroom[host]![i] = room - fromRoom
            rest -= fromRoom
            if headroom[host]![i] < 0 { rest -= headroom[host]![i]; headroom[host]![i] = 0 }
            while rest > 0 {
                let head = releaseHead[host]![i]
                guard head < releases[host]![i].count else { break }
                let take = min(rest, releases[host]![i][head].remaining)
                releases[host]![i][head].remaining -= take
                releasable[host]![i] -= take
                rest -= take
                deps.append(releases[host]![i][head].draft)
                if releases[host]![i][head].remaining == 0 { releaseHead[host]![i] += 1 }
            }
        }
        return deps
    }

    mutating func release(_ amount: Resources, on host: String, by draft: Int) {
        let a = Self.components(amount)
        for i in 0..<2 where a[i] > 0 {
            releases[host]![i].append(Release(draft: draft, remaining: a[i]))
            releasable[host]![i] += a[i]
        }
    }
}

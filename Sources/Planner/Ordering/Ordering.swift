import HostModel
import Manifest
import XenplanBasics

/// Orders the drafts into a DAG that keeps every host within its capacity whatever order
/// the executor runs independent actions in.
///
/// Greedy list scheduling: an action becomes ready when its structural dependencies are
/// scheduled. Actions that take nothing (frees, in-place changes) are scheduled at once;
/// an action that takes memory or vCPUs on a host is scheduled when the host's initial
/// headroom plus what already-scheduled actions will release there covers it (see
/// `Scheduler`). Takers that do not fit wait on their host and are retried when something
/// is released there. At most `migrationsPerHost` migrations go into or out of a host at
/// a time.
struct Ordering {
    let drafts: [Draft]
    /// Per observed host: what guests may use, and what they use now.
    let limits: [String: Resources]
    let usage: [String: Resources]
    let migrationsPerHost: Int

    /// The drafts as actions, in a valid order and numbered from it, with what each takes
    /// and releases for the replay.
    func actions() throws(PlanRefusal) -> ([PlannedAction], Replay.Effects) {
        let (order, extra) = try order()
        var newID = Array(repeating: 0, count: drafts.count)
        for (position, i) in order.enumerated() { newID[i] = position }
        var actions: [PlannedAction] = []
        actions.reserveCapacity(order.count)
        var effects: Replay.Effects = [:]
        for (position, i) in order.enumerated() {
            let d = drafts[i]
            let capacityDeps = Set(extra[i]).subtracting(d.deps)
            var reason = d.reason
            if let first = capacityDeps.filter({ drafts[$0].kind != .migrate || d.kind != .migrate || drafts[$0].releaseHost == d.takeHost })
                .min(by: { newID[$0] < newID[$1] }), d.isTaker
            {
                let f = drafts[first]
                reason += "; after \(f.kind.rawValue) \(f.domain ?? f.summary) on \(f.releaseHost ?? f.host): order for memory"
            }
            let deps = Set(d.deps + extra[i]).map { newID[$0] }.sorted()
            actions.append(
                PlannedAction(
                    id: position, kind: d.kind, host: d.host, domain: d.domain, targetHost: d.targetHost,
                    summary: d.summary, reason: reason, disruption: d.disruption, operations: d.operations,
                    operationHosts: d.operationHosts, dependsOn: deps, waitsForBalloon: d.waitsForBalloon))
            effects[position] = (d.takeHost.map { ($0, d.take) }, d.releaseHost.map { ($0, d.release) })
        }
        return (actions, effects)
    }

    /// The drafts in a valid order, with capacity and migration-slot dependencies added.
    /// Returns the order (draft indices) and each draft's extra dependencies.
    func order() throws(PlanRefusal) -> (order: [Int], extra: [[Int]]) {
        let n = drafts.count
        var indegree = Array(repeating: 0, count: n)
        var dependents = Array(repeating: [Int](), count: n)
        for (i, d) in drafts.enumerated() {
            for dep in Set(d.deps) where dep != i {
                indegree[i] += 1
                dependents[dep].append(i)
            }
        }
        var scheduler = Scheduler(limits: limits, usage: usage)
        var extra = Array(repeating: [Int](), count: n)
        var order: [Int] = []
        order.reserveCapacity(n)
        var readyFree = Deque<Int>()
        var readyTakers = Deque<Int>()
        var waiting: [String: [Int]] = [:]
        var dirty: Set<String> = []
        // The last migrations into or out of each host, to keep at most N at a time.
        var migrationSlots: [String: [Int]] = [:]
        let slots = max(1, migrationsPerHost)

        func enqueue(_ i: Int) {
            let d = drafts[i]
            if d.isTaker, limits[d.takeHost!] != nil { readyTakers.append(i) } else { readyFree.append(i) }
        }
        for i in 0..<n where indegree[i] == 0 { enqueue(i) }

        func schedule(_ i: Int) {
            let d = drafts[i]
            if d.isTaker, let h = d.takeHost, limits[h] != nil {
                extra[i] += scheduler.claim(d.take, on: h)
            }
            if d.kind == .migrate || d.kind == .move {
                for h in [d.host, d.targetHost].compactMap({ $0 }) {
                    var recent = migrationSlots[h] ?? []
                    if recent.count >= slots { extra[i].append(recent[recent.count - slots]) }
                    recent.append(i)
                    if recent.count > slots { recent.removeFirst(recent.count - slots) }
                    migrationSlots[h] = recent
                }
            }
            if let h = d.releaseHost, limits[h] != nil, !d.release.isZero {
                scheduler.release(d.release, on: h, by: i)
                if waiting[h]?.isEmpty == false { dirty.insert(h) }
            }
            order.append(i)
            for next in dependents[i] {
                indegree[next] -= 1
                if indegree[next] == 0 { enqueue(next) }
            }
        }

        while true {
            if let i = readyFree.popFirst() { schedule(i); continue }
            if let i = readyTakers.popFirst() {
                let h = drafts[i].takeHost!
                if scheduler.fits(drafts[i].take, on: h) { schedule(i) } else { waiting[h, default: []].append(i) }
                continue
            }
            guard !dirty.isEmpty else { break }
            for h in dirty.sorted() {
                dirty.remove(h)
                let list = waiting[h] ?? []
                waiting[h] = []
                for i in list {
                    if scheduler.fits(drafts[i].take, on: h) { schedule(i) } else { waiting[h, default: []].append(i) }
                }
            }
        }
        if order.count < n {
            throw refusal(waiting: waiting, scheduler: scheduler)
        }
        return (order, extra)
    }

    /// Names the actions that could not be ordered, the hosts they wait on and what each
    /// host lacks.
    private func refusal(waiting: [String: [Int]], scheduler: Scheduler) -> PlanRefusal {
        var stuck: [(draft: Int, host: String, short: [Int64])] = []
        for h in waiting.keys.sorted() {
            for i in waiting[h] ?? [] { stuck.append((i, h, scheduler.shortfall(drafts[i].take, on: h))) }
        }
        stuck.sort { $0.draft < $1.draft }
        let migrations = stuck.filter { drafts[$0.draft].kind == .migrate }
        let others = stuck.filter { drafts[$0.draft].kind != .migrate }
        var what: [String] = []
        if !migrations.isEmpty {
            let list = migrations.map { s in
                let d = drafts[s.draft]
                return "\(d.domain ?? "?") (\(d.host) → \(d.targetHost ?? "?"))"
            }
            what.append("the migration\(list.count == 1 ? "" : "s") of " + Text.conjunction(list))
        }
        for s in others {
            let d = drafts[s.draft]
            what.append("\(d.kind.rawValue) of \(d.domain ?? "?") on \(s.host)")
        }
        var lacks: [String] = []
        var hostsShort: [String] = []
        var smallest: Int64?
        for h in Set(stuck.map(\.host)).sorted() {
            let mine = stuck.filter { $0.host == h }
            let memory = mine.map { $0.short[0] }.filter { $0 > 0 }.min()
            let vcpus = mine.map { $0.short[1] }.filter { $0 > 0 }.min()
            var parts: [String] = []
            if let memory {
                parts.append("\(h) lacks \(memory / 1024) MiB")
                smallest = min(smallest ?? memory, memory)
            }
            if let vcpus { parts.append("\(h) lacks \(vcpus) vCPU\(vcpus == 1 ? "" : "s")") }
            lacks += parts
            hostsShort.append(h)
        }
        let bothHold =
            migrations.count > 1 ? " while both hold their memory" : migrations.count == 1 ? " while the domain holds its memory on both hosts" : ""
        let domains = stuck.compactMap { drafts[$0.draft].domain }
        let message =
            "cannot order " + Text.conjunction(what) + ": " + Text.conjunction(lacks) + bothHold
            + "; make room on \(hostsShort.count == 1 ? hostsShort[0] : "one of them") or change the manifests"
        return PlanRefusal(hosts: hostsShort, domains: domains, shortfall: ByteSize(kib: smallest ?? 0), message: message)
    }
}

import HostModel
import Manifest
import XenplanBasics

/// Orders the drafts into a DAG that keeps every host within its capacity whatever order
/// the executor runs independent actions in.
///
/// Greedy list scheduling: an action becomes ready when its structural dependencies are
/// scheduled. Actions that take nothing (frees, in-place changes) are scheduled at once;
/// an action that takes memory or vCPUs on a host is scheduled when the host's initial
/// headroom plus what already-scheduled actions will release there covers it. It then
/// *claims* that room: from the headroom first, then from the releasing actions in order,
/// and depends on each action it claims from. Every claim either exhausts a release or
/// satisfies a taker, so dependencies stay linear in the number of actions. Takers that
/// do not fit wait on their host and are retried when something is released there.
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

extension PlanBuilder {
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
        var limits: [String: Resources] = [:]
        var usage: [String: Resources] = [:]
        for (name, index) in hosts {
            limits[name] = index.limit
            usage[name] = index.initialUsage
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
        let slots = max(1, options.maxMigrationsPerHost)

        func enqueue(_ i: Int) {
            let d = drafts[i]
            if d.isTaker, hosts[d.takeHost!] != nil { readyTakers.append(i) } else { readyFree.append(i) }
        }
        for i in 0..<n where indegree[i] == 0 { enqueue(i) }

        func schedule(_ i: Int) {
            let d = drafts[i]
            if d.isTaker, let h = d.takeHost, hosts[h] != nil {
                extra[i] += scheduler.claim(d.take, on: h)
            }
            if d.kind == .migrate {
                for h in [d.host, d.targetHost].compactMap({ $0 }) {
                    var recent = migrationSlots[h] ?? []
                    if recent.count >= slots { extra[i].append(recent[recent.count - slots]) }
                    recent.append(i)
                    if recent.count > slots { recent.removeFirst(recent.count - slots) }
                    migrationSlots[h] = recent
                }
            }
            if let h = d.releaseHost, hosts[h] != nil, !d.release.isZero {
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
            what.append("the migration\(list.count == 1 ? "" : "s") of " + Self.conjunction(list))
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
        let bothHold = migrations.count > 1 ? " while both hold their memory" : migrations.count == 1 ? " while the domain holds its memory on both hosts" : ""
        let domains = stuck.compactMap { drafts[$0.draft].domain }
        let message = "cannot order " + Self.conjunction(what) + ": " + Self.conjunction(lacks) + bothHold
            + "; make room on \(hostsShort.count == 1 ? hostsShort[0] : "one of them") or change the manifests"
        return PlanRefusal(hosts: hostsShort, domains: domains, shortfall: ByteSize(kib: smallest ?? 0), message: message)
    }

    static func conjunction(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }
}

/// A minimal FIFO queue with O(1) pops.
struct Deque<Element> {
    private var items: [Element] = []
    private var head = 0
    mutating func append(_ e: Element) { items.append(e) }
    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        defer {
            head += 1
            if head > 1024 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
        }
        return items[head]
    }
}

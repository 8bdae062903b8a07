import Planner

/// The scheduling state of one run: which actions may start now.
///
/// An action starts when every action it depends on is done, when each host it touches
/// (`Schedule.hosts(of:)`: its host, a migration's target, a cold move's other host) has
/// a free slot (`perHost` actions at once on one host), when fewer than `total` actions
/// run over all hosts, and when no other action on the same domain runs: Xen carries out
/// independent operations on one host side by side (two `xl create`, a `mem-set` during a
/// create, `lvcreate`s in one volume group), but two operations on one domain (a
/// `mem-set` during its migration, a `vcpu-set` while it is saved) race in the toolstack,
/// whatever the plan's order allows.
struct Schedule {
    let actions: [Int: PlannedAction]
    let order: [Int]
    var outcomes: [Int: ExecutionReport.Outcome] = [:]
    private(set) var running: Set<Int> = []
    var stopReason: SkipReason?
    /// At most this many running actions touch one host.
    let perHost: Int
    /// At most this many running actions in all.
    let total: Int
    /// Running actions per host they touch.
    private(set) var load: [String: Int] = [:]
    /// Domains an action is running on.
    private(set) var busyDomains: Set<String> = []
    /// Ids neither started nor decided, in plan order (trimmed as they go).
    private var waiting: [Int]

    init(plan: Plan, perHost: Int = .max, total: Int = .max) {
        actions = Dictionary(plan.actions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        order = plan.actions.map(\.id).sorted()
        waiting = order
        self.perHost = max(1, perHost)
        self.total = max(1, total)
    }

    /// Every host an action occupies while it runs.
    static func hosts(of action: PlannedAction) -> Set<String> {
        var hosts: Set<String> = [action.host]
        if let target = action.targetHost { hosts.insert(target) }
        for host in action.operationHosts ?? [] { hosts.insert(host) }
        return hosts
    }

    /// The actions that may start now, in plan order: dependencies done, a slot free on
    /// each of their hosts and overall, their domain idle (taking into account those
    /// picked before them in the same call).
    mutating func ready() -> [Int] {
        waiting.removeAll { outcomes[$0] != nil || running.contains($0) }
        var picked: [Int] = []
        var load = self.load
        var domains = busyDomains
        var inFlight = running.count
        for id in waiting {
            guard inFlight < total else { break }
            let action = actions[id]!
            guard action.dependsOn.allSatisfy({ if case .done? = outcomes[$0] { true } else { false } }) else { continue }
            if let domain = action.domain, domains.contains(domain) { continue }
            let hosts = Self.hosts(of: action)
            guard hosts.allSatisfy({ load[$0, default: 0] < perHost }) else { continue }
            for host in hosts { load[host, default: 0] += 1 }
            if let domain = action.domain { domains.insert(domain) }
            inFlight += 1
            picked.append(id)
        }
        return picked
    }

    /// Marks `id` running: it holds its hosts' slots and its domain.
    mutating func start(_ id: Int) {
        let action = actions[id]!
        running.insert(id)
        for host in Self.hosts(of: action) { load[host, default: 0] += 1 }
        if let domain = action.domain { busyDomains.insert(domain) }
    }

    /// Marks `id` no longer running, giving back its slots and its domain.
    mutating func finish(_ id: Int) {
        guard running.remove(id) != nil, let action = actions[id] else { return }
        for host in Self.hosts(of: action) { load[host, default: 0] -= 1 }
        if let domain = action.domain { busyDomains.remove(domain) }
    }
}

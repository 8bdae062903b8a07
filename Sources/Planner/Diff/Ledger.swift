/// Where every guest will be, and what every host will carry, once the drafts so far are
/// done: placement reads it, host usage and N+1 report it.
struct Ledger {
    struct Entry {
        var host: String
        var usage: Resources
        /// Running (or going to run) after the plan.
        var up: Bool
    }

    /// Guest name → its place and cost after the plan.
    private var guests: [String: Entry] = [:]
    /// Per host: resources in use once every draft so far is done.
    private(set) var projected: [String: Resources] = [:]
    /// Per host: what guests may use.
    let limits: [String: Resources]

    init(observed: ObservedState) {
        limits = observed.limits
        for name in observed.hostNames {
            guard let index = observed.hosts[name] else { continue }
            projected[name] = index.initialUsage
            for (guest, i) in index.domains {
                let d = index.state.domains[i]
                guests[guest] = Entry(
                    host: name,
                    usage: Resources(
                        memory: Planner.footprint(of: d),
                        vcpus: d.state.isUp ? d.vcpusOnline : 0), up: d.state.isUp)
            }
        }
    }

    subscript(guest: String) -> Entry? {
        get { guests[guest] }
        set { guests[guest] = newValue }
    }

    /// Every guest that runs after the plan, with its host and cost.
    var upGuests: [(name: String, entry: Entry)] { guests.filter(\.value.up).map { ($0.key, $0.value) } }

    /// Books a draft's effect on the projected usage of its hosts.
    mutating func book(_ draft: Draft) {
        if let h = draft.takeHost { projected[h, default: Resources()] += draft.take }
        if let h = draft.releaseHost { projected[h, default: Resources()] -= draft.release }
    }

    func free(on host: String) -> Resources { (limits[host] ?? Resources()) - (projected[host] ?? Resources()) }
}

import Planner

extension Journal {
    /// Where each domain was last started by an apply, from the journal: the host of its
    /// last completed `create`, `start` or `restart`, the target of its last `move`. A host that cannot be observed now
    /// may still run the domains recorded there, so the planner leaves them alone.
    public static func lastStartedHosts(at path: String) -> [String: String] {
        let starts: Set<String> = [ActionKind.create.rawValue, ActionKind.start.rawValue, ActionKind.restart.rawValue]
        var result: [String: String] = [:]
        for entry in entries(at: path) where entry.event == .done {
            guard let kind = entry.kind, let domain = entry.domain else { continue }
            if starts.contains(kind), let host = entry.host { result[domain] = host }
            if kind == ActionKind.move.rawValue, let target = entry.target { result[domain] = target }
        }
        return result
    }
}

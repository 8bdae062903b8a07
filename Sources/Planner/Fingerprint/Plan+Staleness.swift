import HostModel

extension Plan {
    /// Messages naming every object the plan depends on that differs in `observed`
    /// (re-observed just before applying), e.g. `domain www on cpt18: memory target
    /// 512 MiB → 768 MiB since the plan was made`. Empty when the plan is still current.
    /// Only hosts that were observed again are compared.
    public func staleObjects(comparedWith observed: [HostState]) -> [String] {
        let summaries = Planner.objectSummaries(of: observed)
        let hosts = Set(observed.map(\.name))
        var messages: [String] = []
        let keys = Set(fingerprints.keys).union(summaries.keys).sorted()
        for key in keys {
            let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
            guard parts.count >= 2, hosts.contains(parts[1]) else { continue }
            let name = Self.describe(key)
            guard let now = summaries[key] else {
                messages.append("\(name): gone since the plan was made")
                continue
            }
            guard let then = fingerprints[key] else {
                messages.append("\(name): appeared since the plan was made")
                continue
            }
            guard Planner.fingerprint(of: now) != then else { continue }
            if let old = objectSummaries[key] {
                let changed = Set(old.keys).union(now.keys).sorted().filter { old[$0] != now[$0] }
                let detail = changed.map { "\($0) \(old[$0] ?? "(none)") → \(now[$0] ?? "(none)")" }
                messages.append("\(name): " + (detail.isEmpty ? "changed" : detail.joined(separator: ", ")) + " since the plan was made")
            } else {
                messages.append("\(name): changed since the plan was made")
            }
        }
        return messages
    }

    /// Compares with fingerprints computed from a new observation (see
    /// `Planner.fingerprints(of:)`); messages name the objects, not the fields.
    public func staleObjects(comparedWith current: [String: String]) -> [String] {
        Set(fingerprints.keys).union(current.keys).sorted().compactMap { key in
            switch (fingerprints[key], current[key]) {
            case let (a?, b?) where a == b: return nil
            case (_?, nil): return "\(Self.describe(key)): gone since the plan was made"
            case (nil, _?): return "\(Self.describe(key)): appeared since the plan was made"
            default: return "\(Self.describe(key)): changed since the plan was made"
            }
        }
    }

    /// `domain www on cpt18`, `volume vg18/www-root on cpt18`, `host cpt18`.
    static func describe(_ key: String) -> String {
        let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
        guard parts.count >= 2 else { return key }
        if parts.count == 2 { return "\(parts[0]) \(parts[1])" }
        let kind = parts[0] == "config" ? "configuration of" : parts[0]
        return "\(kind) \(parts[2]) on \(parts[1])"
    }
}

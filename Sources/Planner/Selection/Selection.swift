import HostModel
import Manifest
import XenplanBasics

/// Targeting (`--host`, `--domain`): the whole lab is planned, then only the selected
/// actions are kept. An action is kept when it is on a selected host (a migration: from
/// or to one) and of a selected domain; the bridges and volumes a kept action needs come
/// with it; an action that depends on one not kept is left out, and the plan says so.
/// Planning everything first is what keeps a guest from being created on one host while
/// it runs on another that targeting would have hidden.
struct Selection {
    var hosts: Set<String>?
    var domains: Set<String>?

    var isEverything: Bool { hosts == nil && domains == nil }

    private func onSelectedHost(_ a: PlannedAction) -> Bool {
        guard let hosts else { return true }
        return hosts.contains(a.host) || a.targetHost.map(hosts.contains) == true
    }

    private func matches(_ a: PlannedAction) -> Bool {
        guard onSelectedHost(a) else { return false }
        guard let domains else { return true }
        return a.domain.map(domains.contains) ?? false
    }

    private static let preparations: Set<ActionKind> = [.createBridge, .createVolume, .growVolume]

    /// The ids kept, and for each action selected but left out, why.
    func apply(to actions: [PlannedAction]) -> (kept: Set<Int>, leftOut: [(id: Int, because: Int)]) {
        var chosen = Set(actions.filter(matches).map(\.id))
        // Preparations a chosen action needs; dependencies always have smaller ids.
        for a in actions.reversed() where chosen.contains(a.id) {
            for dep in a.dependsOn {
                let d = actions[dep]
                if d.domain == nil, Self.preparations.contains(d.kind), onSelectedHost(d) { chosen.insert(dep) }
                // What is lost is backed up first: a kept destroy or removal keeps its backup.
                if d.kind == .backup, a.kind == .destroy || a.kind == .removeVolume { chosen.insert(dep) }
            }
        }
        // A volume removal that only waits for chosen removals goes with them.
        for a in actions where a.kind == .removeVolume && !chosen.contains(a.id) && onSelectedHost(a) {
            if !a.dependsOn.isEmpty, a.dependsOn.allSatisfy(chosen.contains) { chosen.insert(a.id) }
        }
        var kept: Set<Int> = []
        var leftOut: [(id: Int, because: Int)] = []
        for a in actions where chosen.contains(a.id) {
            if let missing = a.dependsOn.sorted().first(where: { !kept.contains($0) }) {
                leftOut.append((a.id, missing))
            } else {
                kept.insert(a.id)
            }
        }
        return (kept, leftOut)
    }

    /// Whether a notice concerns the selection.
    func keeps(_ n: Notice) -> Bool {
        if let hosts, let h = n.host, !hosts.contains(h) { return false }
        if let domains { return n.domain.map(domains.contains) ?? (n.kind == .manifestGone) }
        return true
    }

    /// The kept actions, numbered again from 0 in the same order, with their effects.
    static func renumbered(_ actions: [PlannedAction], effects: Replay.Effects, keeping kept: Set<Int>) -> ([PlannedAction], Replay.Effects) {
        var newID: [Int: Int] = [:]
        var result: [PlannedAction] = []
        var newEffects: Replay.Effects = [:]
        for a in actions where kept.contains(a.id) {
            var a2 = a
            a2.id = result.count
            newID[a.id] = a2.id
            a2.dependsOn = a.dependsOn.compactMap { newID[$0] }.sorted()
            newEffects[a2.id] = effects[a.id]
            result.append(a2)
        }
        return (result, newEffects)
    }
}

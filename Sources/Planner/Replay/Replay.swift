import HostModel
import XenplanBasics

/// The check of an ordered plan: its actions replayed one after the other on the
/// observed usage of each host. An action's take counts from its start (a migration
/// holds memory on both hosts), its release from its end.
struct Replay {
    /// What each action (by id) takes on a host when it starts and gives back on a host
    /// when it completes.
    typealias Effects = [Int: (take: (String, Resources)?, release: (String, Resources)?)]

    let limits: [String: Resources]
    let usage: [String: Resources]

    /// What every host uses once `actions` are done, or the first step that would exceed
    /// a host's capacity. A resource the step does not increase never fails it, so a host
    /// observed over its capacity can still be relieved.
    func run(_ actions: [PlannedAction], effects: Effects) -> Result<[String: Resources], PlanRefusal> {
        var usage = self.usage
        var done = Set<Int>()
        for action in actions {
            for dep in action.dependsOn where !done.contains(dep) {
                return .failure(
                    PlanRefusal(
                        hosts: [action.host], domains: action.domain.map { [$0] } ?? [], shortfall: .zero,
                        message: "internal ordering error: action \(action.id) runs before action \(dep) it depends on"))
            }
            if let (host, take) = effects[action.id]?.take, let limit = limits[host] {
                var now = usage[host] ?? Resources()
                now += take
                let memoryOver = take.memory.kib > 0 && now.memory > limit.memory
                let vcpusOver = take.vcpus > 0 && now.vcpus > limit.vcpus
                if memoryOver || vcpusOver {
                    let short = now.memory - limit.memory
                    return .failure(
                        PlanRefusal(
                            hosts: [host], domains: action.domain.map { [$0] } ?? [], shortfall: max(short, .zero),
                            message: "\(action.kind.rawValue) of \(action.domain ?? "?") would exceed the capacity of \(host): "
                                + (memoryOver ? "\(short.mib) MiB short" : "\(now.vcpus - limit.vcpus) vCPUs over")))
                }
                usage[host] = now
            }
            if let (host, release) = effects[action.id]?.release {
                usage[host, default: Resources()] -= release
            }
            done.insert(action.id)
        }
        return .success(usage)
    }
}

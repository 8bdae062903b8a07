import HostModel
import Manifest
import XenplanBasics

/// What an interrupted fill left: a `_partial` logical volume (`VolumeState.partialName`)
/// is only ever half a copy, an image or a backup on its way into a volume, or a cold
/// move's copy that was not checked and named yet. No manifest name holds `_`, so it is
/// nobody's data: the plan removes it, without `--allow-data-loss`, before anything fills
/// that volume again.
extension Diff {
    mutating func planLeftoverPartials() {
        var seen: Set<VolumeKey> = []
        for host in observed.hostNames {
            guard let index = observed.hosts[host] else { continue }
            for v in index.state.volumes.sorted(by: { ($0.container, $0.name) < ($1.container, $1.name) })
            where v.name.hasSuffix(VolumeState.partialSuffix) && v.name != VolumeState.partialSuffix {
                guard let pool = desired.pool(container: v.container, reachedBy: host), case .lvm = pool.kind else { continue }
                let key = VolumeKey(container: v.container, name: v.name)
                guard seen.insert(key).inserted, !reachedByUnobservedHost(key.container) else { continue }
                graph.volumeDraft[key] = add(
                    Draft(
                        kind: .removeVolume, host: host, summary: "\(key.description) \(v.size), a leftover",
                        reason:
                            "half a copy an interrupted apply left (a _partial volume is never complete); removed before that volume is filled again",
                        disruption: .none, operations: [.removeVolume(container: key.container, name: key.name)]))
                volumes.reported.insert(key)
            }
        }
    }
}

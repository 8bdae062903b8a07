import HostModel
import Manifest
import XenplanBasics

/// The volumes nothing uses any more, and what each destroy says of its volumes.
extension Diff {
    /// Volumes that removals leave unused: reported as orphans, or removed (data loss)
    /// with --allow-data-loss once what used them is gone. A volume any declared disk or
    /// any remaining domain uses is never a candidate.
    mutating func planOrphans() {
        // Volumes xenplan created that no declared disk uses, left by earlier applies
        // (a destroyed domain's volumes are kept): orphans until --allow-data-loss.
        let candidateKeys = Set(graph.orphanCandidates.map(\.key))
        for host in observed.hostNames {
            guard let index = observed.hosts[host] else { continue }
            for key in index.ownedVolumes.sorted() where !volumes.desired.contains(key) && !candidateKeys.contains(key) {
                graph.orphanCandidates.append(OrphanCandidate(key: key, host: host, domain: nil, after: nil, why: "created by xenplan"))
            }
        }
        guard !graph.orphanCandidates.isEmpty else { return }
        // Every observed attachment and configuration reference, by volume.
        var users: [VolumeKey: Set<String>] = [:]
        for host in observed.hostNames {
            guard let index = observed.hosts[host] else { continue }
            for d in index.state.domains where d.domid != 0 {
                for disk in d.disks { if let key = index.volumeByTarget[disk.target] { users[key, default: []].insert(d.name) } }
            }
            for c in index.state.configs {
                for disk in c.disks { if let key = index.volumeByTarget[disk.target] { users[key, default: []].insert(c.name) } }
            }
        }
        var byKey: [VolumeKey: [OrphanCandidate]] = [:]
        for c in graph.orphanCandidates where !reachedByUnobservedHost(c.key.container) { byKey[c.key, default: []].append(c) }
        for key in byKey.keys.sorted() {
            guard let candidates = byKey[key], let first = candidates.first else { continue }
            if volumes.desired.contains(key) || volumes.reported.contains(key) { continue }
            let releasing = Set(candidates.compactMap(\.domain))
            // Still used by a domain that stays (not the one that lets it go)?
            let others = (users[key] ?? []).subtracting(releasing).filter { name in
                desired.declared[name] != nil || ledger[name] != nil
            }
            if !others.isEmpty { continue }
            // A domain still declared may keep it in its config (disk detached live only).
            volumes.reported.insert(key)
            let size = observed.hosts[first.host]?.volumes[key] ?? .zero
            let owned = candidates.contains { observed.hosts[$0.host]?.ownedVolumes.contains(key) ?? false }
            if desired.options.allowDataLoss && owned {
                let net = safetyNetBeforeRemoving(key, on: first.host, owner: first.domain)
                volumes.removedBy[key] = add(
                    Draft(
                        kind: .removeVolume, host: first.host, summary: "\(key.description) \(size)",
                        reason: "no declared disk uses it (\(first.why)); --allow-data-loss" + net.note, disruption: .dataLoss,
                        operations: [.removeVolume(container: key.container, name: key.name)],
                        deps: candidates.compactMap(\.after) + net.deps))
            } else if !owned {
                notice(
                    .orphanVolume, host: first.host, domain: first.domain,
                    "volume \(key.description) (\(size)) is no longer used by any declared disk (\(first.why)); xenplan did not create it, so it is never removed"
                )
            } else {
                notice(
                    .orphanVolume, host: first.host, domain: first.domain,
                    "volume \(key.description) (\(size)) is no longer used by any declared disk (\(first.why)): kept; --allow-data-loss removes it")
            }
        }
    }

    /// Says in each destroy's summary what becomes of the volumes it used: removed after
    /// it (`--allow-data-loss`), or kept.
    mutating func finishDestroySummaries() {
        for id in destroyDrafts {
            let used = Array(Set(graph.orphanCandidates.filter { $0.after == id }.map(\.key))).sorted()
            let removed = used.filter { volumes.removedBy[$0] != nil }
            let kept = used.filter { volumes.removedBy[$0] == nil }
            var parts: [String] = []
            if !removed.isEmpty {
                parts.append("volumes removed after it (--allow-data-loss): " + removed.map(\.description).joined(separator: ", "))
            }
            if !kept.isEmpty { parts.append("volumes kept: " + kept.map(\.description).joined(separator: ", ")) }
            if used.isEmpty { parts.append("no volume of a declared pool") }
            graph.appendToSummary(of: id, "; " + parts.joined(separator: "; "))
        }
    }
}

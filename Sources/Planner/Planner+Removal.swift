import HostModel
import Manifest
import XenplanBasics

/// Domains that are not declared, and the volumes nothing uses any more.
extension PlanBuilder {
    /// Managed and not declared: destroyed (unless protected). Unmanaged: reported, or
    /// destroyed with --prune. Domain-0 is never considered.
    mutating func planUndeclared() {
        for host in hostNames {
            guard let index = hosts[host] else { continue }
            for name in index.domains.keys.sorted() where declared[name] == nil {
                guard let s = index.domain(name) else { continue }
                let usage = Resources(memory: Planner.footprint(of: s), vcpus: s.state.isUp ? s.vcpusOnline : 0)
                let config = index.config(name)
                let timeout = DomainSpec.defaultShutdownTimeout
                if let config {
                    if config.protect {
                        notice(.protected, host: host, domain: name, "\(name) is no longer declared but is protected: left running")
                        continue
                    }
                    addDestroy(name, on: host, usage: usage,
                               operations: [.shutdown(domain: name, timeoutSeconds: timeout), .removeConfig(name: name)],
                               summary: "managed by xenplan, no longer declared",
                               reason: "\(name) was created by xenplan and is no longer in the manifests" + declaredIn(config),
                               disks: config.disks.map(\.target) + s.disks.map(\.target))
                    noteGoneManifest(config)
                } else if options.prune {
                    addDestroy(name, on: host, usage: usage, operations: [.shutdown(domain: name, timeoutSeconds: timeout)],
                               summary: "unmanaged, not declared (--prune)",
                               reason: "\(name) is not declared and --prune was given", disks: s.disks.map(\.target))
                } else {
                    notice(.unmanaged, host: host, domain: name, "\(name) is not declared and was not created by xenplan: left alone")
                }
            }
            for name in index.configs.keys.sorted() where declared[name] == nil && index.domains[name] == nil {
                guard let config = index.config(name) else { continue }
                if config.protect {
                    notice(.protected, host: host, domain: name, "\(name) is no longer declared but is protected: its configuration is kept")
                    continue
                }
                addDestroy(name, on: host, usage: Resources(), operations: [.removeConfig(name: name)],
                           summary: "configuration only, no longer declared",
                           reason: "\(name) was created by xenplan and is no longer in the manifests" + declaredIn(config),
                           disks: config.disks.map(\.target))
                noteGoneManifest(config)
            }
        }
    }

    private mutating func addDestroy(_ name: String, on host: String, usage: Resources, operations: [HostOperation],
                                     summary: String, reason: String, disks: [String]) {
        var draft = Draft(kind: .destroy, host: host, domain: name, summary: summary, reason: reason,
                          disruption: .destroy, operations: operations)
        if !usage.isZero { draft.releaseHost = host; draft.release = usage }
        var seen: Set<VolumeKey> = []
        for target in disks {
            guard let key = hosts[host]?.volumeByTarget[target], seen.insert(key).inserted else { continue }
            draft.leavesVolumes.append(OrphanCandidate(key: key, host: host, domain: name, after: nil, why: "was used by \(name)"))
        }
        destroyDrafts.append(add(draft))
        ledger[name] = nil
    }

    /// `; it was declared in web.yaml`, from the record in its configuration.
    private func declaredIn(_ config: DomainConfig) -> String {
        config.manifestFile.map { "; it was declared in \($0)" } ?? ""
    }

    /// Remembers a destroyed domain whose manifest file is no longer in the directory.
    private mutating func noteGoneManifest(_ config: DomainConfig) {
        guard let file = config.manifestFile, !manifestFileNames.contains(file) else { return }
        goneManifests[file, default: []].append(config.name)
    }

    /// One notice per manifest file that is gone, before anything else: a file moved away
    /// by mistake must not read like a list of guests to remove.
    mutating func reportGoneManifests() {
        for file in goneManifests.keys.sorted() {
            let names = Array(Set(goneManifests[file]!)).sorted()
            notices.insert(Notice(kind: .manifestGone, host: nil, domain: nil,
                                  message: "\(file) is gone: \(names.count) \(names.count == 1 ? "guest" : "guests") it declared would be destroyed ("
                                      + names.joined(separator: ", ") + "); restore the file if it was not meant to go"),
                           at: 0)
        }
    }

    /// Says in each destroy's summary what becomes of the volumes it used: removed after
    /// it (`--allow-data-loss`), or kept.
    mutating func finishDestroySummaries() {
        for id in destroyDrafts {
            let used = Array(Set(orphanCandidates.filter { $0.after == id }.map(\.key))).sorted()
            let removed = used.filter { removedVolumes[$0] != nil }
            let kept = used.filter { removedVolumes[$0] == nil }
            var parts: [String] = []
            if !removed.isEmpty { parts.append("volumes removed after it (--allow-data-loss): " + removed.map(\.description).joined(separator: ", ")) }
            if !kept.isEmpty { parts.append("volumes kept: " + kept.map(\.description).joined(separator: ", ")) }
            if used.isEmpty { parts.append("no volume of a declared pool") }
            drafts[id].summary += "; " + parts.joined(separator: "; ")
        }
    }

    /// Volumes that removals leave unused: reported as orphans, or removed (data loss)
    /// with --allow-data-loss once what used them is gone. A volume any declared disk or
    /// any remaining domain uses is never a candidate.
    mutating func planOrphans() {
        // Volumes xenplan created that no declared disk uses, left by earlier applies
        // (a destroyed domain's volumes are kept): orphans until --allow-data-loss.
        let candidateKeys = Set(orphanCandidates.map(\.key))
        for host in hostNames {
            guard let index = hosts[host] else { continue }
            for key in index.ownedVolumes.sorted() where !desiredVolumes.contains(key) && !candidateKeys.contains(key) {
                orphanCandidates.append(OrphanCandidate(key: key, host: host, domain: nil, after: nil, why: "created by xenplan"))
            }
        }
        guard !orphanCandidates.isEmpty else { return }
        // Every observed attachment and configuration reference, by volume.
        var users: [VolumeKey: Set<String>] = [:]
        for host in hostNames {
            guard let index = hosts[host] else { continue }
            for d in index.state.domains where d.domid != 0 {
                for disk in d.disks { if let key = index.volumeByTarget[disk.target] { users[key, default: []].insert(d.name) } }
            }
            for c in index.state.configs {
                for disk in c.disks { if let key = index.volumeByTarget[disk.target] { users[key, default: []].insert(c.name) } }
            }
        }
        var byKey: [VolumeKey: [OrphanCandidate]] = [:]
        for c in orphanCandidates where !reachedByUnobservedHost(c.key.container) { byKey[c.key, default: []].append(c) }
        for key in byKey.keys.sorted() {
            guard let candidates = byKey[key], let first = candidates.first else { continue }
            if desiredVolumes.contains(key) || reportedVolumes.contains(key) { continue }
            let releasing = Set(candidates.compactMap(\.domain))
            // Still used by a domain that stays (not the one that lets it go)?
            let others = (users[key] ?? []).subtracting(releasing).filter { name in
                declared[name] != nil || ledger[name] != nil
            }
            if !others.isEmpty { continue }
            // A domain still declared may keep it in its config (disk detached live only).
            reportedVolumes.insert(key)
            let size = hosts[first.host]?.volumes[key] ?? .zero
            let owned = candidates.contains { hosts[$0.host]?.ownedVolumes.contains(key) ?? false }
            if options.allowDataLoss && owned {
                removedVolumes[key] = add(Draft(kind: .removeVolume, host: first.host, summary: "\(key.description) \(size)",
                                                reason: "no declared disk uses it (\(first.why)); --allow-data-loss", disruption: .dataLoss,
                                                operations: [.removeVolume(container: key.container, name: key.name)],
                                                deps: candidates.compactMap(\.after)))
            } else if !owned {
                notice(.orphanVolume, host: first.host, domain: first.domain,
                       "volume \(key.description) (\(size)) is no longer used by any declared disk (\(first.why)); xenplan did not create it, so it is never removed")
            } else {
                notice(.orphanVolume, host: first.host, domain: first.domain,
                       "volume \(key.description) (\(size)) is no longer used by any declared disk (\(first.why)): kept; --allow-data-loss removes it")
            }
        }
    }
}

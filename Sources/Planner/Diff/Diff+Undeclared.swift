import HostModel
import Manifest
import XenplanBasics

/// Domains that are not declared.
extension Diff {
    /// Managed and not declared: destroyed (unless protected). Unmanaged: reported, or
    /// destroyed with --prune. Domain-0 is never considered.
    mutating func planUndeclared() {
        for host in observed.hostNames {
            guard let index = observed.hosts[host] else { continue }
            for name in index.domains.keys.sorted() where desired.declared[name] == nil {
                guard let s = index.domain(name) else { continue }
                let usage = Resources(memory: Planner.footprint(of: s), vcpus: s.state.isUp ? s.vcpusOnline : 0)
                let config = index.config(name)
                let timeout = DomainSpec.defaultShutdownTimeout
                if let config {
                    if config.protect {
                        notice(.protected, host: host, domain: name, "\(name) is no longer declared but is protected: left running")
                        continue
                    }
                    addDestroy(
                        name, on: host, usage: usage,
                        operations: [.shutdown(domain: name, timeoutSeconds: timeout)] + saveRemovals(of: name, on: host)
                            + [.removeConfig(name: name)],
                        summary: "managed by xenplan, no longer declared",
                        reason: "\(name) was created by xenplan and is no longer in the manifests" + declaredIn(config),
                        disks: config.disks.map(\.target) + s.disks.map(\.target))
                    goneManifests.note(config)
                } else if desired.options.prune {
                    addDestroy(
                        name, on: host, usage: usage, operations: [.shutdown(domain: name, timeoutSeconds: timeout)],
                        summary: "unmanaged, not declared (--prune)",
                        reason: "\(name) is not declared and --prune was given", disks: s.disks.map(\.target))
                } else {
                    notice(.unmanaged, host: host, domain: name, "\(name) is not declared and was not created by xenplan: left alone")
                }
            }
            for name in index.configs.keys.sorted() where desired.declared[name] == nil && index.domains[name] == nil {
                guard let config = index.config(name) else { continue }
                if config.protect {
                    notice(.protected, host: host, domain: name, "\(name) is no longer declared but is protected: its configuration is kept")
                    continue
                }
                let discarded = saveRemovals(of: name, on: host)
                addDestroy(
                    name, on: host, usage: Resources(), operations: discarded + [.removeConfig(name: name)],
                    summary: discarded.isEmpty
                        ? "configuration only, no longer declared" : "suspended, no longer declared: its save file and memory discarded",
                    reason: "\(name) was created by xenplan and is no longer in the manifests" + declaredIn(config),
                    disks: config.disks.map(\.target))
                goneManifests.note(config)
            }
        }
    }

    mutating func addDestroy(
        _ name: String, on host: String, usage: Resources, operations: [HostOperation],
        summary: String, reason: String, disks: [String]
    ) {
        let cover = safetyNetBeforeDestroy(name, on: host)
        var draft = Draft(
            kind: .destroy, host: host, domain: name, summary: summary, reason: reason + safetyNetNote(cover),
            disruption: .destroy, operations: operations)
        if !usage.isZero { draft.releaseHost = host; draft.release = usage }
        var seen: Set<VolumeKey> = []
        for target in disks {
            guard let key = observed.hosts[host]?.volumeByTarget[target], seen.insert(key).inserted else { continue }
            draft.leavesVolumes.append(OrphanCandidate(key: key, host: host, domain: name, after: nil, why: "was used by \(name)"))
        }
        destroyDrafts.append(add(draft))
        ledger[name] = nil
    }

    /// `; it was declared in web.yaml`, from the record in its configuration.
    private func declaredIn(_ config: DomainConfig) -> String {
        config.manifestFile.map { "; it was declared in \($0)" } ?? ""
    }
}

import HostModel
import Manifest
import XenplanBasics

/// The drafts that carry out a move `MigrationDecision` decided: a live migration, or a
/// domain that is not running cleared on one host and started on another.
extension Diff {
    /// Moves a running guest live from `o` to `h`: shrunk first when it is to get smaller
    /// and does not restart anyway (less to copy, less room needed on the target), its
    /// seed file put on the target first, its configuration moved with it. Returns what it
    /// uses after the move, and whether its memory was set on the way.
    mutating func migrateLive(
        _ d: DomainSpec, _ s: DomainState, from o: String, to h: String, usage: Resources,
        restarting: Bool, volumeDeps: [Int]
    ) -> (usage: Resources, memoryDone: Bool, seedDetached: Bool) {
        var usage = usage
        var memoryDone = false
        var seedDetached = false
        if !restarting, d.memory < s.memoryTarget, d.memory <= s.memoryStaticMax {
            add(Self.setMemory(d, s, on: o, from: &usage))
            memoryDone = true
        }
        if let attached = s.disks.first(where: { $0.target == CloudInitSeed.path(domain: d.name) }),
            observed.hosts[h]?.seeds.contains(d.name) == false
        {
            if let seed = configs.seeds[d.name] {
                add(
                    Draft(
                        kind: .writeConfig, host: h, domain: d.name, summary: "first-boot seed of \(d.name), before it arrives",
                        reason: "\(d.name) has its seed disk attached: the file must exist on \(h) for the migration",
                        disruption: .none, operations: [.writeSeed(seed)]))
            } else {
                // No seed to write there (its configuration, and so its identity, were made
                // without one): the seed disk, read only at first boot, is detached before
                // the move, or the migration would fail on the missing file.
                add(
                    Draft(
                        kind: .detachDisk, host: o, domain: d.name,
                        summary: "\(Normalize.vdev(attached.vdev)) (\(attached.target)), before it moves",
                        reason: "its first-boot seed disk is attached and \(h) has no copy of it: the migration needs every disk on the target",
                        disruption: .live, operations: [.detachDisk(domain: d.name, vdev: Normalize.vdev(attached.vdev))]))
                seedDetached = true
            }
        }
        let via = Set(
            s.disks.compactMap { observed.hosts[o]?.volumeByTarget[$0.target] }.compactMap { key in
                desired.lab.pools.first { $0.container == key.container && $0.shared }?.name
            }
        ).sorted()
        add(
            Draft(
                kind: .migrate, host: o, domain: d.name, targetHost: h,
                summary: "\(o) → \(h), live" + (via.isEmpty ? "" : " (pool \(via.joined(separator: ", ")) \(via.count == 1 ? "is" : "are") shared)"),
                reason: "declared on \(h), runs on \(o)", disruption: .pause,
                operations: [.migrate(domain: d.name, toHost: h), .removeConfig(name: d.name)],
                deps: volumeDeps + bridgeDeps(d, on: h), takeHost: h, take: usage, releaseHost: o, release: usage))
        ledger[d.name] = Ledger.Entry(host: h, usage: usage, up: true)
        return (usage, memoryDone, seedDetached)
    }

    /// A declared domain that is not running on `from` (only a configuration, or shut
    /// down or crashed) and is declared on `to`, which reaches all its disks: nothing has
    /// to move live, so it is cleared on `from` (its configuration removed first, so no
    /// reboot ever finds two) and started on `to`.
    mutating func startElsewhere(_ d: DomainSpec, _ config: DomainConfig, from: String, to: String, clearing stopped: DomainState?) {
        let known = config.nics.map { NicState(bridge: $0.bridge, mac: $0.mac ?? "", ip: $0.ip) }
        // With the disks declared there (they are its old ones when its pools are shared).
        let wanted = desiredConfig(d, on: to, observedNics: stopped?.nics ?? known, uuid: config.uuid)
        if holdIfDiskInUse(d, disks: wanted.disks, on: to) { return }
        let volumeDeps = planVolumes(d, disks: desired.resolveDisks(d, on: to), on: to)
        var clear = Draft(
            kind: .removeStaleConfig, host: from, domain: d.name,
            summary: (stopped.map { "clear \(d.name) (\($0.state.rawValue)) and its configuration" }
                ?? "remove the configuration of \(d.name)") + ", which starts on \(to)",
            reason: "declared on \(to); a reboot of \(from) would start a second \(d.name) on the same disks",
            disruption: .none,
            operations: (stopped == nil ? [] : [.destroy(domain: d.name)])
                + (observed.hosts[from]?.config(d.name) == nil ? [] : [.removeConfig(name: d.name)]))
        if let stopped {
            clear.releaseHost = from
            clear.release = Resources(memory: Planner.footprint(of: stopped), vcpus: 0)
        }
        add(clear)
        clearedConfigs.insert("\(from)/\(d.name)")
        finalHost[d.name] = to
        let usage = Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus)
        add(
            Draft(
                kind: .start, host: to, domain: d.name,
                summary: "\(Text.vcpus(d.vcpus)), \(d.memory), moved from \(from) while not running",
                reason: "declared running on \(to), not running on \(from); its disks are on shared pools",
                disruption: .none, operations: [.writeConfig(wanted), .create(domain: d.name)],
                deps: volumeDeps + bridgeDeps(d, on: to), takeHost: to, take: usage))
        ledger[d.name] = Ledger.Entry(host: to, usage: usage, up: true)
    }
}

extension Diff {
    /// A declared domain on `from` (running, shut down or crashed, or only a configuration)
    /// whose disks are on pools `to` does not reach, moved cold (`MigrationDecision.cold`):
    /// one action whose steps run on both hosts. On `to`, a partial volume for each copy;
    /// on `from`, the guest shut down (or its dead copy cleared) and each volume sent over
    /// ssh and checked; on `to`, the copies named (and grown to their declared size); on
    /// `from`, its configuration removed; on `to`, the guest configured and started. The
    /// target's memory and vCPUs are reserved for the whole action, the source's given back
    /// when it completes. The old volumes stay on `from`, orphans until `--allow-data-loss`.
    /// `configured`: `from` has xenplan's configuration of it (or will have, when the move
    /// follows another action there).
    mutating func moveCold(
        _ d: DomainSpec, _ config: DomainConfig, from: String, to: String, stopping s: DomainState?, configured: Bool
    ) {
        let move = ColdMove(d, disks: config.disks, from: from, to: to, desired: desired, observed: observed)
        let known = config.nics.map { NicState(bridge: $0.bridge, mac: $0.mac ?? "", ip: $0.ip) }
        let wanted = desiredConfig(d, on: to, observedNics: s?.nics ?? known, uuid: config.uuid)
        // Volumes of the target the copies do not make (a disk on a shared pool it
        // reaches, a disk added in the manifests) are made as for any start there.
        let copied = Set(move.copies.map(\.to))
        let others = desired.resolveDisks(d, on: to).filter { $0.volume.map { !copied.contains($0) } ?? true }
        for c in move.copies { volumes.desired.insert(c.to) }
        var deps = planVolumes(d, disks: others, on: to) + bridgeDeps(d, on: to)
        deps += move.copies.compactMap { graph.volumeDraft[VolumeKey(container: $0.to.container, name: VolumeState.partialName($0.to.name))] }

        var steps: [(String, HostOperation)] = []
        for c in move.copies where !c.existing {
            steps.append((to, .receiveVolume(container: c.to.container, name: c.to.name, size: c.size)))
        }
        let up = s?.state.isUp ?? false
        if up {
            steps.append((from, .shutdown(domain: d.name, timeoutSeconds: d.shutdownTimeout)))
        } else if s != nil {
            steps.append((from, .destroy(domain: d.name)))
        }
        for c in move.copies {
            let transfer = VolumeTransfer(
                domain: d.name, container: c.from.container, name: c.from.name, size: c.size, toHost: to,
                toContainer: c.to.container, toName: c.to.name, alreadyCopied: c.existing)
            steps.append((from, .sendVolume(transfer)))
        }
        for c in move.copies where !c.existing { steps.append((to, .commitVolume(container: c.to.container, name: c.to.name))) }
        // Only now that every copy is whole and named there: the source's configuration
        // goes (a plan after an interruption before this still finds the guest there).
        if configured { steps.append((from, .removeConfig(name: d.name))) }
        steps.append((to, .writeConfig(wanted)))
        steps.append((to, .create(domain: d.name)))
        // Grown last, live: a copy is the source's size until the guest runs, so that a
        // move interrupted before the start can check it against the source again.
        for c in move.copies where c.declared > c.size && !Normalize.sameMemory(c.declared, c.size) {
            steps.append((to, .growVolume(container: c.to.container, name: c.to.name, size: c.declared)))
        }

        let usage = Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus)
        let current = ledger[d.name]?.usage ?? Resources()
        let restart = d.restart == .allowed ? "restart: allowed" : "--allow-restart"
        let pools = Set(move.copies.compactMap { desired.pool(container: $0.from.container, reachedBy: from)?.name }).sorted()
        var draft = Draft(
            kind: .move, host: from, domain: d.name, targetHost: to,
            summary: "\(from) → \(to), " + move.summary(shutdown: up, to: to),
            reason: "declared on \(to), \(up ? "runs" : "is") on \(from); pool\(pools.count == 1 ? "" : "s") \(pools.joined(separator: ", ")) "
                + "\(pools.count == 1 ? "is" : "are") not reached by \(to) (\(restart)); the old volumes are kept on \(from)",
            disruption: .restart, operations: steps.map(\.1), operationHosts: steps.map(\.0),
            deps: deps, takeHost: to, take: usage, releaseHost: from, release: current)
        draft.leavesVolumes = move.copies.map { c in
            OrphanCandidate(key: c.from, host: from, domain: d.name, after: nil, why: "was disk \(c.vdev) of \(d.name), copied to \(to)")
        }
        add(draft)
        clearedConfigs.insert("\(from)/\(d.name)")
        finalHost[d.name] = to
        ledger[d.name] = Ledger.Entry(host: to, usage: usage, up: true)
    }
}

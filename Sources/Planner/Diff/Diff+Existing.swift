import HostModel
import Manifest
import XenplanBasics

/// A declared domain Xen shows: running, or shut down or crashed but still held. What
/// can change live changes live; what cannot waits for a restart the domain allows.
extension Diff {
    /// A domain that runs (or is shut down / crashed but still known to Xen) on `o`.
    mutating func planExisting(_ d: DomainSpec, _ s: DomainState, on o: String, declared h: String) {
        let config = observed.hosts[o]?.config(d.name)
        let current = ledger[d.name]?.usage ?? Resources()
        let ownDisks = s.disks.filter { $0.target != CloudInitSeed.path(domain: d.name) }
            .map { DomainConfig.Disk(vdev: Normalize.vdev($0.vdev), target: $0.target, readOnly: $0.readOnly) }
        let ownNics = s.nics.map { DomainConfig.Nic(bridge: $0.bridge, mac: Normalize.mac($0.mac), ip: Normalize.ip($0.ip)) }
        // Known by its configuration, or (none left) by what Xen still holds of it.
        let known =
            config
            ?? DomainConfig(
                name: d.name, uuid: s.uuid, memory: s.memoryTarget, maxmem: s.memoryStaticMax,
                vcpus: s.vcpusOnline, maxvcpus: s.maxVcpus, disks: ownDisks, nics: ownNics)
        let move = MigrationDecision.forDomain(d, s, known: known, on: o, declared: h, desired: desired, observed: observed)
        if case let .blocked(why) = move { notice(.migrationBlocked, host: o, domain: d.name, why) }
        let migrating = move == .live(to: h)
        let blocked = if case .blocked = move { true } else { false }
        let here = migrating ? h : o
        finalHost[d.name] = here
        var wanted = desiredConfig(d, on: here, observedNics: s.nics, uuid: config?.uuid ?? s.uuid)
        if here != h {
            // Its disks and NICs as they are: the declared ones belong to the other host;
            // an interface keeps the rate and dom0 name it was started with.
            wanted.disks = ownDisks
            wanted.nics = ownNics.map { nic in config?.nics.first { Normalize.mac($0.mac) == nic.mac } ?? nic }
        }
        if move == .startsElsewhere(to: h) {
            startElsewhere(d, known, from: o, to: h, clearing: s)
            return
        }
        if move == .cold(to: h) {
            moveCold(d, known, from: o, to: h, stopping: s, configured: config != nil)
            return
        }
        var configDue = config.map { !Normalize.sameConfig(desired: wanted, observed: $0) } ?? false
        if config == nil {
            add(
                Draft(
                    kind: .writeConfig, host: o, domain: d.name, summary: "adopt: write xenplan's configuration",
                    reason: "\(d.name) exists on \(o) without xenplan's configuration and is declared: adopted",
                    disruption: .none, operations: [.writeConfig(migrating ? desiredConfig(d, on: o, observedNics: s.nics, uuid: s.uuid) : wanted)]))
        }

        if d.state == .suspended {
            planSuspend(d, s, on: o, wanted: wanted, configDue: configDue, usage: current)
            return
        }
        // Declared stopped: shut it down; nothing else is worth changing live.
        if d.state == .stopped {
            if s.state.isUp {
                add(
                    Draft(
                        kind: .stop, host: o, domain: d.name, summary: "shut down (timeout \(d.shutdownTimeout) s)",
                        reason: "declared state: stopped", disruption: .restart,
                        operations: (configDue ? [.writeConfig(wanted)] : []) + [.shutdown(domain: d.name, timeoutSeconds: d.shutdownTimeout)],
                        releaseHost: o, release: current))
                ledger[d.name]?.usage = Resources()
                ledger[d.name]?.up = false
            } else if configDue {
                addConfigWrite(d, wanted, replacing: config, on: o, reason: "its configuration differs from the manifests")
            }
            return
        }
        // Shut down or crashed but still held by Xen: clear it and start it again.
        if !s.state.isUp {
            // Started where it is: with the disks of its configuration when it is declared
            // elsewhere (the declared ones belong to that host), else the declared ones.
            if holdIfDiskInUse(d, disks: wanted.disks, on: o) { return }
            let deps = (h == o ? planVolumes(d, disks: desired.resolveDisks(d, on: o), on: o) : []) + bridgeDeps(d, on: o)
            let after = Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus)
            var draft = Draft(
                kind: .start, host: o, domain: d.name, summary: "\(Text.vcpus(d.vcpus)), \(d.memory) (was \(s.state.rawValue))",
                reason: "declared running, but \(s.state.rawValue): cleared and started from its configuration",
                disruption: .none,
                operations: (configDue ? [.writeConfig(wanted)] : []) + [.destroy(domain: d.name), .create(domain: d.name)],
                deps: deps)
            Self.setNet(&draft, on: o, from: current, to: after)
            add(draft)
            ledger[d.name] = Ledger.Entry(host: o, usage: after, up: true)
            return
        }

        // Changes Xen cannot make to a running guest.
        var reboot: [String] = []
        if !Normalize.sameMemory(s.memoryStaticMax, d.maxmem) { reboot.append("maxmem \(s.memoryStaticMax) → \(d.maxmem)") }
        if s.maxVcpus != d.maxvcpus { reboot.append("maxvcpus \(s.maxVcpus) → \(d.maxvcpus)") }
        if s.type != d.type.rawValue { reboot.append("type \(s.type) → \(d.type.rawValue)") }
        // The configuration it was started from, against the one it would get.
        if let config { reboot += ConfigChanges.needingRestart(config, wanted) }
        let restartAllowed = d.restart == .allowed || desired.options.allowRestart
        // A guest that could not start again (another running guest has its disk) is not
        // shut down for a restart.
        let restartHeldBy = !reboot.isEmpty && restartAllowed ? observed.diskInUse(d.name, disks: wanted.disks) : nil
        let restarting = !reboot.isEmpty && restartAllowed && restartHeldBy == nil

        let disks = desired.resolveDisks(d, on: here)
        var volumeDeps = blocked ? [] : planVolumes(d, disks: disks, on: here)
        var usage = current
        var memoryDone = false

        // The guest as the device changes below find it (a seed disk detached before a move).
        var present = s
        if migrating {
            let moved = migrateLive(d, s, from: o, to: h, usage: usage, restarting: restarting, volumeDeps: volumeDeps)
            (usage, memoryDone) = (moved.usage, moved.memoryDone)
            if moved.seedDetached { present.disks.removeAll { $0.target == CloudInitSeed.path(domain: d.name) } }
            volumeDeps = []
            configDue = true
        }

        if restarting {
            let after = Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus)
            var draft = Draft(
                kind: .restart, host: here, domain: d.name,
                summary: reboot.joined(separator: ", ") + ": shut down and start again",
                reason: reboot.joined(separator: ", ") + " needs a restart ("
                    + (d.restart == .allowed ? "restart: allowed" : "--allow-restart") + ")",
                disruption: .restart,
                operations: [.writeConfig(wanted), .shutdown(domain: d.name, timeoutSeconds: d.shutdownTimeout), .create(domain: d.name)],
                deps: volumeDeps + bridgeDeps(d, on: here))
            Self.setNet(&draft, on: here, from: usage, to: after)
            add(draft)
            ledger[d.name] = Ledger.Entry(host: here, usage: after, up: true)
            return
        }
        if let why = restartHeldBy {
            notice(
                .diskInUse, host: here, domain: d.name,
                reboot.joined(separator: ", ") + " needs a restart, held: \(why), and \(d.name) could not start again")
        } else if !reboot.isEmpty {
            notice(
                .pendingRestart, host: here, domain: d.name,
                reboot.joined(separator: ", ") + " needs a restart (restart: never); set restart: allowed or use --allow-restart")
        }

        var live: [Draft] = []
        let memoryChanges = !memoryDone && !Normalize.sameMemory(s.memoryTarget, d.memory) && d.memory <= s.memoryStaticMax
        let memoryDown = memoryChanges && d.memory < s.memoryTarget
        if !memoryChanges && !memoryDone { quotas.memory[d.name] = s.memoryTarget }
        if d.vcpus > s.maxVcpus { quotas.vcpus[d.name] = s.vcpusOnline }
        if s.vcpusOnline != d.vcpus, d.vcpus <= s.maxVcpus {
            var draft = Draft(
                kind: .setVcpus, host: here, domain: d.name,
                summary: "\(s.vcpusOnline) → \(d.vcpus), live (maxvcpus \(s.maxVcpus))",
                reason: "online vCPUs differ from the manifests", disruption: .live,
                operations: [.setVcpus(domain: d.name, count: d.vcpus)])
            var after = usage
            after.vcpus = d.vcpus
            Self.setNet(&draft, on: here, from: usage, to: after)
            usage = after
            live.append(draft)
        }
        if s.cpuWeight != d.cpuWeight || s.cpuCap != d.cpuCap {
            var parts: [String] = []
            if s.cpuWeight != d.cpuWeight { parts.append("weight \(s.cpuWeight) → \(d.cpuWeight)") }
            if s.cpuCap != d.cpuCap { parts.append("cap \(s.cpuCap) → \(d.cpuCap)") }
            live.append(
                Draft(
                    kind: .setScheduler, host: here, domain: d.name, summary: parts.joined(separator: ", ") + ", live",
                    reason: "credit scheduler parameters differ from the manifests", disruption: .live,
                    operations: [.setScheduler(domain: d.name, weight: d.cpuWeight, cap: d.cpuCap)]))
        }
        if !blocked {
            live += deviceChanges(d, present, disks: disks + DesiredConfigs.seedDisk(wanted), on: here)
        }
        // Memory going down first (it frees room for others), going up last.
        var drafts: [Draft] = []
        if memoryChanges && memoryDown { drafts.append(Self.setMemory(d, s, on: here, from: &usage)) }
        drafts += live
        if memoryChanges && !memoryDown { drafts.append(Self.setMemory(d, s, on: here, from: &usage)) }
        if configDue {
            if drafts.isEmpty {
                addConfigWrite(
                    d, wanted, replacing: config, on: here,
                    reason: migrating ? "its configuration follows it from \(o)" : "its configuration differs from the manifests", newFile: migrating)
            } else {
                drafts[0].operations.insert(.writeConfig(wanted), at: 0)
            }
        }
        for draft in drafts { add(draft) }
        ledger[d.name] = Ledger.Entry(host: here, usage: usage, up: true)
    }

    /// A set-memory draft for `d` on `host`; `usage` becomes what the guest uses after it.
    static func setMemory(_ d: DomainSpec, _ s: DomainState, on host: String, from usage: inout Resources) -> Draft {
        let down = d.memory < s.memoryTarget
        var draft = Draft(
            kind: .setMemory, host: host, domain: d.name,
            summary: "\(s.memoryTarget) → \(d.memory), live (maxmem \(s.memoryStaticMax))",
            reason: "memory target differs from the manifests"
                + (down ? "; complete when the guest's balloon has given the memory back" : ""),
            disruption: .live, operations: [.setMemory(domain: d.name, target: d.memory)],
            waitsForBalloon: down)
        var after = usage
        after.memory = XenMemory.footprint(actual: d.memory, staticMax: s.memoryStaticMax, type: s.type, maxVcpus: s.maxVcpus)
        setNet(&draft, on: host, from: usage, to: after)
        usage = after
        return draft
    }

    /// Books the change from `before` to `after` on `host` as a take (growth) and/or a
    /// release (shrink), per resource.
    static func setNet(_ draft: inout Draft, on host: String, from before: Resources, to after: Resources) {
        let delta = after - before
        let take = Resources(memory: max(delta.memory, .zero), vcpus: max(delta.vcpus, 0))
        let release = Resources(memory: max(.zero - delta.memory, .zero), vcpus: max(-delta.vcpus, 0))
        if !take.isZero { draft.takeHost = host; draft.take = take }
        if !release.isZero { draft.releaseHost = host; draft.release = release }
    }

    mutating func addConfigWrite(
        _ d: DomainSpec, _ config: DomainConfig, replacing old: DomainConfig?, on host: String, reason: String, newFile: Bool = false
    ) {
        add(
            Draft(
                kind: .writeConfig, host: host, domain: d.name, summary: ConfigChanges.summary(from: old, to: config, newFile: newFile),
                reason: reason, disruption: .none, operations: [.writeConfig(config)]))
    }
}

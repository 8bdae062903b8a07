import HostModel
import Manifest
import XenplanBasics

/// The diff of one declared domain against what the hosts show.
extension PlanBuilder {
    /// Plans a declared domain whose host is known: declared, or where it already exists
    /// (placement is stable). Returns false when the planner must place it first.
    mutating func planDeclared(_ d: DomainSpec) -> Bool {
        let running = runningOn[d.name]?.first
        let configHost = configOn[d.name]?.first
        if holdIfMaybeUnobserved(d) { return true }
        guard let target = d.host ?? running ?? configHost else { return false }
        finalHost[d.name] = running ?? configHost ?? target
        if let what = unsettled[d.name] {
            notice(.inTransition, host: running ?? configHost ?? target, domain: d.name,
                   "\(d.name) is in transition (\(what.joined(separator: ", "))): left alone; plan again once it has settled")
            return true
        }
        if let o = running, let s = hosts[o]?.domain(d.name) {
            planExisting(d, s, on: o, declared: target)
        } else if let c = configHost, let config = hosts[c]?.config(d.name) {
            planConfigOnly(d, config, on: c, declared: target)
        } else if hosts[target] != nil {
            finalHost[d.name] = target
            planCreate(d, on: target, placed: false)
        } else {
            notice(.unplaceable, host: target, domain: d.name, "\(d.name) is declared on \(target), which was not observed: not created")
        }
        return true
    }

    /// The conditions a live migration from `o` to `h` fails, in words; empty when it can go.
    func migrationProblems(_ d: DomainSpec, _ s: DomainState, from o: String, to h: String) -> [String] {
        guard let target = hosts[h] else { return ["host \(h) was not observed"] }
        guard let source = hosts[o] else { return ["host \(o) was not observed"] }
        var problems: [String] = []
        if source.state.xenVersion != target.state.xenVersion {
            problems.append("Xen \(source.state.xenVersion) on \(o) but \(target.state.xenVersion) on \(h)")
        }
        // The seed is xenplan's own file, written on the target before the migration.
        for disk in s.disks where disk.target != CloudInitSeed.path(domain: d.name) {
            let vdev = Normalize.vdev(disk.vdev)
            guard let key = source.volumeByTarget[disk.target],
                  let pool = lab.pools.first(where: { $0.container == key.container && $0.hosts.contains(o) })
            else {
                problems.append("disk \(vdev) (\(disk.target)) is not on a shared pool")
                continue
            }
            if !pool.shared {
                problems.append("disk \(vdev) is on pool \(pool.name), which is not shared")
            } else if !pool.hosts.contains(h) {
                problems.append("disk \(vdev) is on pool \(pool.name), which \(h) does not reach")
            }
        }
        let bridges = Set(hostSpecs[h]?.bridges.map(\.name) ?? [])
        for b in Set(d.network.map(\.bridge) + s.nics.map(\.bridge)).sorted() where !bridges.contains(b) {
            problems.append("bridge \(b) is not declared on \(h)")
        }
        let disks = s.disks.map { DomainConfig.Disk(vdev: $0.vdev, target: $0.target, readOnly: $0.readOnly) }
        if let why = diskInUse(d.name, disks: disks) { problems.append(why) }
        return problems
    }

    /// A domain that runs (or is shut down / crashed but still known to Xen) on `o`.
    mutating func planExisting(_ d: DomainSpec, _ s: DomainState, on o: String, declared h: String) {
        let config = hosts[o]?.config(d.name)
        let current = ledger[d.name]?.usage ?? Resources()
        let wantsMove = h != o && d.state == .running && s.state.isUp
        let problems = wantsMove ? migrationProblems(d, s, from: o, to: h) : []
        if wantsMove && !problems.isEmpty {
            notice(.migrationBlocked, host: o, domain: d.name,
                   "\(d.name) is declared on \(h) but runs on \(o) and cannot move live: "
                       + problems.joined(separator: "; ") + "; it stays on \(o)")
        }
        let migrating = wantsMove && problems.isEmpty
        let here = migrating ? h : o
        finalHost[d.name] = here
        let blocked = wantsMove && !migrating
        let ownDisks = s.disks.filter { $0.target != CloudInitSeed.path(domain: d.name) }
            .map { DomainConfig.Disk(vdev: Normalize.vdev($0.vdev), target: $0.target, readOnly: $0.readOnly) }
        let ownNics = s.nics.map { DomainConfig.Nic(bridge: $0.bridge, mac: Normalize.mac($0.mac), ip: Normalize.ip($0.ip)) }
        var desired = desiredConfig(d, on: here, observedNics: s.nics, uuid: config?.uuid ?? s.uuid)
        if here != h {
            // Its disks and NICs as they are: the declared ones belong to the other host.
            desired.disks = ownDisks
            desired.nics = ownNics
        }
        // Shut down or crashed and declared on a host that reaches its disks: nothing has
        // to move live, so it is cleared here and started there.
        // Known by its configuration, or (none left) by what Xen still holds of it.
        let known = config ?? DomainConfig(name: d.name, uuid: s.uuid, memory: s.memoryTarget, maxmem: s.memoryStaticMax,
                                           vcpus: s.vcpusOnline, maxvcpus: s.maxVcpus, disks: ownDisks, nics: ownNics)
        if !s.state.isUp, d.state == .running, h != o, canStartElsewhere(known, d, from: o, to: h) {
            startElsewhere(d, known, from: o, to: h, clearing: s)
            return
        }
        var configDue = config.map { !Normalize.sameConfig(desired: desired, observed: $0) } ?? false
        if config == nil {
            add(Draft(kind: .writeConfig, host: o, domain: d.name, summary: "adopt: write xenplan's configuration",
                      reason: "\(d.name) exists on \(o) without xenplan's configuration and is declared: adopted",
                      disruption: .none, operations: [.writeConfig(migrating ? desiredConfig(d, on: o, observedNics: s.nics, uuid: s.uuid) : desired)]))
        }

        // Declared stopped: shut it down; nothing else is worth changing live.
        if d.state == .stopped {
            if s.state.isUp {
                add(Draft(kind: .stop, host: o, domain: d.name, summary: "shut down (timeout \(d.shutdownTimeout) s)",
                          reason: "declared state: stopped", disruption: .restart,
                          operations: (configDue ? [.writeConfig(desired)] : []) + [.shutdown(domain: d.name, timeoutSeconds: d.shutdownTimeout)],
                          releaseHost: o, release: current))
                ledger[d.name]?.usage = Resources()
                ledger[d.name]?.up = false
            } else if configDue {
                addConfigWrite(d, desired, on: o, reason: "its configuration differs from the manifests")
            }
            return
        }
        // Shut down or crashed but still held by Xen: clear it and start it again.
        if !s.state.isUp {
            // Started where it is: with the disks of its configuration when it is declared
            // elsewhere (the declared ones belong to that host), else the declared ones.
            if holdIfDiskInUse(d, disks: desired.disks, on: o) { return }
            let deps = (h == o ? planVolumes(d, disks: resolveDisks(d, on: o), on: o) : []) + bridgeDeps(d, on: o)
            let after = Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus)
            var draft = Draft(kind: .start, host: o, domain: d.name, summary: "\(Text.vcpus(d.vcpus)), \(d.memory) (was \(s.state.rawValue))",
                              reason: "declared running, but \(s.state.rawValue): cleared and started from its configuration",
                              disruption: .none,
                              operations: (configDue ? [.writeConfig(desired)] : []) + [.destroy(domain: d.name), .create(domain: d.name)],
                              deps: deps)
            setNet(&draft, on: o, from: current, to: after)
            add(draft)
            ledger[d.name] = LedgerEntry(host: o, usage: after, up: true)
            return
        }

        // Changes Xen cannot make to a running guest.
        var reboot: [String] = []
        if !Normalize.sameMemory(s.memoryStaticMax, d.maxmem) { reboot.append("maxmem \(s.memoryStaticMax) → \(d.maxmem)") }
        if s.maxVcpus != d.maxvcpus { reboot.append("maxvcpus \(s.maxVcpus) → \(d.maxvcpus)") }
        if s.type != d.type.rawValue { reboot.append("type \(s.type) → \(d.type.rawValue)") }
        if let config, config.boot != Self.boot(d.boot) { reboot.append("boot \(Text.boot(config.boot)) → \(Text.boot(Self.boot(d.boot)))") }
        let restartAllowed = d.restart == .allowed || options.allowRestart
        // A guest that could not start again (another running guest has its disk) is not
        // shut down for a restart.
        let restartHeldBy = !reboot.isEmpty && restartAllowed ? diskInUse(d.name, disks: desired.disks) : nil
        let restarting = !reboot.isEmpty && restartAllowed && restartHeldBy == nil

        let disks = resolveDisks(d, on: here)
        var volumeDeps = blocked ? [] : planVolumes(d, disks: disks, on: here)
        var usage = current
        var memoryDone = false

        if migrating {
            // Shrink before leaving: less to copy, less room needed on the target.
            if !restarting, d.memory < s.memoryTarget, d.memory <= s.memoryStaticMax {
                usage = addSetMemory(d, s, on: o, from: usage)
                memoryDone = true
            }
            if s.disks.contains(where: { $0.target == CloudInitSeed.path(domain: d.name) }),
               hosts[h]?.seeds.contains(d.name) == false, let seed = seeds[d.name] {
                add(Draft(kind: .writeConfig, host: h, domain: d.name, summary: "first-boot seed of \(d.name), before it arrives",
                          reason: "\(d.name) has its seed disk attached: the file must exist on \(h) for the migration",
                          disruption: .none, operations: [.writeSeed(seed)]))
            }
            var ops: [HostOperation] = [.migrate(domain: d.name, toHost: h)]
            ops.append(.removeConfig(name: d.name))
            let via = Set(s.disks.compactMap { hosts[o]?.volumeByTarget[$0.target] }.compactMap { key in
                lab.pools.first { $0.container == key.container && $0.shared }?.name
            }).sorted()
            add(Draft(kind: .migrate, host: o, domain: d.name, targetHost: h,
                      summary: "\(o) → \(h), live" + (via.isEmpty ? "" : " (pool \(via.joined(separator: ", ")) \(via.count == 1 ? "is" : "are") shared)"),
                      reason: "declared on \(h), runs on \(o)", disruption: .pause, operations: ops,
                      deps: volumeDeps + bridgeDeps(d, on: h), takeHost: h, take: usage, releaseHost: o, release: usage))
            volumeDeps = []
            configDue = true
            ledger[d.name] = LedgerEntry(host: h, usage: usage, up: true)
        }

        if restarting {
            let after = Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus)
            var draft = Draft(kind: .restart, host: here, domain: d.name,
                              summary: reboot.joined(separator: ", ") + ": shut down and start again",
                              reason: reboot.joined(separator: ", ") + " needs a restart ("
                                  + (d.restart == .allowed ? "restart: allowed" : "--allow-restart") + ")",
                              disruption: .restart,
                              operations: [.writeConfig(desired), .shutdown(domain: d.name, timeoutSeconds: d.shutdownTimeout), .create(domain: d.name)],
                              deps: volumeDeps + bridgeDeps(d, on: here))
            setNet(&draft, on: here, from: usage, to: after)
            add(draft)
            ledger[d.name] = LedgerEntry(host: here, usage: after, up: true)
            return
        }
        if let why = restartHeldBy {
            notice(.diskInUse, host: here, domain: d.name,
                   reboot.joined(separator: ", ") + " needs a restart, held: \(why), and \(d.name) could not start again")
        } else if !reboot.isEmpty {
            notice(.pendingRestart, host: here, domain: d.name,
                   reboot.joined(separator: ", ") + " needs a restart (restart: never); set restart: allowed or use --allow-restart")
        }

        var live: [Draft] = []
        let memoryChanges = !memoryDone && !Normalize.sameMemory(s.memoryTarget, d.memory) && d.memory <= s.memoryStaticMax
        let memoryDown = memoryChanges && d.memory < s.memoryTarget
        if !memoryChanges && !memoryDone { quotaMemory[d.name] = s.memoryTarget }
        if d.vcpus > s.maxVcpus { quotaVcpus[d.name] = s.vcpusOnline }
        if s.vcpusOnline != d.vcpus, d.vcpus <= s.maxVcpus {
            var draft = Draft(kind: .setVcpus, host: here, domain: d.name,
                              summary: "\(s.vcpusOnline) → \(d.vcpus), live (maxvcpus \(s.maxVcpus))",
                              reason: "online vCPUs differ from the manifests", disruption: .live,
                              operations: [.setVcpus(domain: d.name, count: d.vcpus)])
            var after = usage
            after.vcpus = d.vcpus
            setNet(&draft, on: here, from: usage, to: after)
            usage = after
            live.append(draft)
        }
        if s.cpuWeight != d.cpuWeight || s.cpuCap != d.cpuCap {
            var parts: [String] = []
            if s.cpuWeight != d.cpuWeight { parts.append("weight \(s.cpuWeight) → \(d.cpuWeight)") }
            if s.cpuCap != d.cpuCap { parts.append("cap \(s.cpuCap) → \(d.cpuCap)") }
            live.append(Draft(kind: .setScheduler, host: here, domain: d.name, summary: parts.joined(separator: ", ") + ", live",
                              reason: "credit scheduler parameters differ from the manifests", disruption: .live,
                              operations: [.setScheduler(domain: d.name, weight: d.cpuWeight, cap: d.cpuCap)]))
        }
        if !blocked {
            live += deviceChanges(d, s, disks: disks + Self.seedDisk(desired), on: here, volumeDeps: volumeDeps)
        }
        // Memory going down first (it frees room for others), going up last.
        var drafts: [Draft] = []
        if memoryChanges && memoryDown { usage = addSetMemoryDraft(d, s, on: here, from: usage, into: &drafts) }
        drafts += live
        if memoryChanges && !memoryDown { usage = addSetMemoryDraft(d, s, on: here, from: usage, into: &drafts) }
        if configDue {
            if drafts.isEmpty {
                addConfigWrite(d, desired, on: here, reason: migrating ? "its configuration follows it from \(o)" : "its configuration differs from the manifests")
            } else {
                drafts[0].operations.insert(.writeConfig(desired), at: 0)
            }
        }
        for draft in drafts { add(draft) }
        ledger[d.name] = LedgerEntry(host: here, usage: usage, up: true)
    }

    /// A set-memory draft appended directly (before a migration).
    mutating func addSetMemory(_ d: DomainSpec, _ s: DomainState, on host: String, from usage: Resources) -> Resources {
        var drafts: [Draft] = []
        let after = addSetMemoryDraft(d, s, on: host, from: usage, into: &drafts)
        for draft in drafts { add(draft) }
        return after
    }

    func addSetMemoryDraft(_ d: DomainSpec, _ s: DomainState, on host: String, from usage: Resources, into drafts: inout [Draft]) -> Resources {
        let down = d.memory < s.memoryTarget
        var draft = Draft(kind: .setMemory, host: host, domain: d.name,
                          summary: "\(s.memoryTarget) → \(d.memory), live (maxmem \(s.memoryStaticMax))",
                          reason: "memory target differs from the manifests"
                              + (down ? "; complete when the guest's balloon has given the memory back" : ""),
                          disruption: .live, operations: [.setMemory(domain: d.name, target: d.memory)],
                          waitsForBalloon: down)
        var after = usage
        after.memory = XenMemory.footprint(actual: d.memory, staticMax: s.memoryStaticMax)
        setNet(&draft, on: host, from: usage, to: after)
        drafts.append(draft)
        return after
    }

    /// Books the change from `before` to `after` on `host` as a take (growth) and/or a
    /// release (shrink), per resource.
    func setNet(_ draft: inout Draft, on host: String, from before: Resources, to after: Resources) {
        let delta = after - before
        let take = Resources(memory: max(delta.memory, .zero), vcpus: max(delta.vcpus, 0))
        let release = Resources(memory: max(.zero - delta.memory, .zero), vcpus: max(-delta.vcpus, 0))
        if !take.isZero { draft.takeHost = host; draft.take = take }
        if !release.isZero { draft.releaseHost = host; draft.release = release }
    }

    mutating func addConfigWrite(_ d: DomainSpec, _ desired: DomainConfig, on host: String, reason: String) {
        add(Draft(kind: .writeConfig, host: host, domain: d.name, summary: "update xenplan's configuration",
                  reason: reason, disruption: .none, operations: [.writeConfig(desired)]))
    }
}

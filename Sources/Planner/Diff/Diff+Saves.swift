import HostModel
import Manifest
import XenplanBasics

/// Suspended guests: `xl save` to a file frees a guest's memory and vCPUs; `xl restore`
/// brings it back with its memory. A complete save file is the guest: it is never cold
/// booted while one exists (its memory would be lost and the file would go stale), and a
/// file left beside a guest that runs is removed, since restoring it would run the guest
/// on disks that moved on. Partial files are only reported.
extension Diff {
    /// The directory of a domain's save file on `host`: its `saves:` pool when the host
    /// reaches it, else the host's default save directory.
    func saveDirectory(_ d: DomainSpec, on host: String) -> String {
        if let name = d.savePool, let pool = desired.poolsByName[name], case let .dir(path) = pool.kind, pool.hosts.contains(host) {
            return path
        }
        return SaveState.defaultDirectory
    }

    /// The save files of `name`, complete or partial, each once: the same directory seen
    /// from several hosts of one shared `dir` pool is one file.
    func saveFiles(of name: String, partial: Bool = false) -> [SaveCopy] {
        var copies: [SaveCopy] = []
        var byKey: [String: Int] = [:]
        for (host, save) in observed.savesOf[name] ?? [] where save.partial == partial {
            let shared = desired.lab.pools.first { pool in
                guard pool.shared, pool.hosts.contains(host), case let .dir(path) = pool.kind else { return false }
                return Self.sameDirectory(path, save.directory)
            }
            let key = shared.map { "pool/\($0.name)/\(save.path)" } ?? "\(host)/\(save.path)"
            if let i = byKey[key] {
                copies[i].seenFrom.append(host)
            } else {
                byKey[key] = copies.count
                copies.append(SaveCopy(save: save, seenFrom: [host]))
            }
        }
        return copies
    }

    static func sameDirectory(_ a: String, _ b: String) -> Bool {
        func trimmed(_ s: String) -> Substring { s.hasSuffix("/") ? s.dropLast() : Substring(s) }
        return trimmed(a) == trimmed(b)
    }

    /// One notice per interrupted save, whoever it belongs to: xenplan never restores from
    /// one, nor removes it (the guest may have run on since, or not).
    mutating func planInterruptedSaves() {
        var names = Set<String>()
        for host in observed.hostNames {
            for save in observed.hosts[host]?.state.saves ?? [] where save.partial { names.insert(save.domain) }
        }
        for name in names.sorted() {
            for copy in saveFiles(of: name, partial: true) {
                notice(
                    .interruptedSave, host: copy.host, domain: name,
                    "\(copy.save.path) on \(copy.host) is an interrupted save: xenplan never restores it; remove it by hand once you know the guest runs"
                )
            }
        }
    }

    /// What the save files of a declared domain decide before anything else looks at it.
    /// Returns true when the domain is fully planned here.
    mutating func planSaves(_ d: DomainSpec, running: String?, configHost: String?, declared h: String) -> Bool {
        let saves = saveFiles(of: d.name)
        if let running {
            // Declared suspended: `planSuspend` saves it again over the stale file.
            guard d.state != .suspended else { return false }
            for copy in saves {
                removeSave(
                    copy, of: d.name, disruption: .none,
                    reason: "\(d.name) runs on \(running): restoring it later would run the guest on disks that moved on")
            }
            return false
        }
        guard !saves.isEmpty else {
            if d.state == .suspended {
                notice(
                    .saveMissing, host: configHost ?? h, domain: d.name,
                    "\(d.name) is declared suspended, but no host has its save file: it is stopped; declare state: running to boot it (its memory state is lost)"
                )
            }
            return false
        }
        switch d.state {
        case .suspended:
            // Its memory is in the file, not on any host.
            let home = configHost ?? h
            finalHost[d.name] = saves.contains { $0.seenFrom.contains(home) } ? home : saves[0].host
            ledger[d.name] = nil
            return true
        case .stopped:
            for copy in saves {
                removeSave(
                    copy, of: d.name, disruption: .destroy,
                    reason: "declared state: stopped; \(d.name) is suspended: removing its save file discards the suspended memory")
            }
            return false
        case .running:
            planResume(d, saves, configHost: configHost, declared: h)
            return true
        }
    }

    /// A declared-running guest whose memory is in a save file: restored where the file
    /// is (on the declared host directly when it sees the file and reaches all its disks),
    /// with room for it like a create; any other save file of it is removed after.
    private mutating func planResume(_ d: DomainSpec, _ saves: [SaveCopy], configHost: String?, declared h: String) {
        let config = configHost.flatMap { observed.hosts[$0]?.config(d.name) }
        // The declared host when it sees a file and the guest can run there (its disks on
        // pools it reaches, its bridges declared); else where its configuration is; else
        // the first host that sees one.
        var runsOnDeclared = true
        if let config, let from = configHost, from != h {
            runsOnDeclared = MigrationDecision.canStart(config, d, from: from, to: h, desired: desired, observed: observed)
        }
        let chosen: Int
        let host: String
        if runsOnDeclared, let i = saves.firstIndex(where: { $0.seenFrom.contains(h) }) {
            (chosen, host) = (i, h)
        } else if let from = configHost, let i = saves.firstIndex(where: { $0.seenFrom.contains(from) }) {
            (chosen, host) = (i, from)
        } else {
            (chosen, host) = (0, saves[0].host)
        }
        let file = saves[chosen].save
        finalHost[d.name] = host
        let nics = config?.nics.map { NicState(bridge: $0.bridge, mac: $0.mac ?? "", ip: $0.ip) } ?? []
        var wanted = desiredConfig(d, on: host, observedNics: nics, uuid: config?.uuid)
        if host != h, let config {
            // Its disks and NICs as they are: the declared ones belong to the other host.
            wanted.disks = config.disks
            wanted.nics = config.nics
        }
        let existing = observed.hosts[host]?.config(d.name)
        let configDue = existing.map { !Normalize.sameConfig(desired: wanted, observed: $0) } ?? true
        if holdIfDiskInUse(d, disks: wanted.disks, on: host) { return }
        let deps = (host == h ? planVolumes(d, disks: desired.resolveDisks(d, on: host), on: host) : []) + bridgeDeps(d, on: host)
        let usage = Resources(
            memory: XenMemory.footprint(actual: wanted.memory, staticMax: wanted.maxmem, type: wanted.type, maxVcpus: wanted.maxvcpus),
            vcpus: wanted.vcpus)
        var reason = "declared running, suspended: restored from its save file, its memory state kept"
        var moves: MigrationDecision = .stays
        var restored: DomainState?
        // Without its configuration (removed by hand) it is restored with the one written
        // now, and moves on from there all the same.
        if host != h {
            let running = Self.restoredState(d.name, wanted, uuid: config?.uuid ?? wanted.uuid)
            moves = MigrationDecision.forDomain(d, running, known: wanted, on: host, declared: h, desired: desired, observed: observed)
            restored = running
        }
        if case let .blocked(why) = moves {
            notice(.migrationBlocked, host: host, domain: d.name, why)
        }
        if host != h {
            reason +=
                "; declared on \(h), which cannot restore it: "
                + (moves == .live(to: h)
                    ? "it moves there live once it runs"
                    : moves == .cold(to: h) ? "it moves there cold once it runs" : "it stays here (see why in the migration-blocked notice)")
        } else if let from = configHost, from != h {
            reason += "; declared on \(h), which sees the file and reaches its disks: restored there directly"
        }
        add(
            Draft(
                kind: .resume, host: host, domain: d.name,
                summary: "\(Text.vcpus(wanted.vcpus)), \(wanted.memory) from \(file.path)",
                reason: reason, disruption: .none,
                operations: (configDue ? [.writeConfig(wanted)] : []) + [.restore(domain: d.name, directory: file.directory)],
                deps: deps, takeHost: host, take: usage))
        ledger[d.name] = Ledger.Entry(host: host, usage: usage, up: true)
        // Restored where its file is, then moved to its declared host in the same apply,
        // as any running guest declared elsewhere is.
        if case let .cold(to) = moves, let restored {
            moveCold(d, wanted, from: host, to: to, stopping: restored, configured: true)
        }
        if case let .live(to) = moves, let restored {
            let (after, _, _) = migrateLive(d, restored, from: host, to: to, usage: usage, restarting: false, volumeDeps: [])
            let there = desiredConfig(d, on: to, observedNics: restored.nics, uuid: restored.uuid)
            add(
                Draft(
                    kind: .writeConfig, host: to, domain: d.name, summary: ConfigChanges.summary(from: wanted, to: there, newFile: true),
                    reason: "its configuration follows it from \(host)", disruption: .none, operations: [.writeConfig(there)]))
            ledger[d.name] = Ledger.Entry(host: to, usage: after, up: true)
            finalHost[d.name] = to
            // The migration removes its configuration on the host it leaves.
            clearedConfigs.insert("\(host)/\(d.name)")
        }
        for (i, other) in saves.enumerated() where i != chosen {
            removeSave(
                other, of: d.name, disruption: .none,
                reason: "\(d.name) is restored from \(file.path) on \(host): restoring this one would run the guest on disks that moved on")
        }
    }

    /// The guest as Xen will show it once restored from `config`: what a migration
    /// planned in the same apply starts from.
    static func restoredState(_ name: String, _ config: DomainConfig, uuid: String?) -> DomainState {
        DomainState(
            name: name, domid: 0x7FEF, uuid: uuid ?? "", state: .running, memoryTarget: config.memory, memoryStaticMax: config.maxmem,
            memoryActual: config.memory, vcpusOnline: config.vcpus, maxVcpus: config.maxvcpus, cpuWeight: config.cpuWeight,
            cpuCap: config.cpuCap, type: config.type,
            disks: (config.disks + (config.seed.map { [$0.disk] } ?? [])).map { DiskState(vdev: $0.vdev, target: $0.target, readOnly: $0.readOnly) },
            nics: config.nics.map { NicState(bridge: $0.bridge, mac: $0.mac ?? "", ip: $0.ip) })
    }

    /// A declared-suspended guest that Xen shows on `o`: saved to its file, which frees
    /// its memory and vCPUs there. Its configuration is written first when missing or
    /// different (it must no longer start on its own at boot: that would cold-boot the
    /// guest beside its save file).
    mutating func planSuspend(_ d: DomainSpec, _ s: DomainState, on o: String, wanted: DomainConfig, configDue: Bool, usage: Resources) {
        let saves = saveFiles(of: d.name)
        guard s.state.isUp else {
            notice(
                .saveMissing, host: o, domain: d.name,
                "\(d.name) is declared suspended, but it is \(s.state.rawValue) on \(o): there is no memory to save; declare state: running to boot it"
            )
            if configDue {
                addConfigWrite(d, wanted, replacing: observed.hosts[o]?.config(d.name), on: o, reason: "its configuration differs from the manifests")
            }
            return
        }
        let directory = saveDirectory(d, on: o)
        let path = SaveState.path(directory: directory, domain: d.name)
        var reason = "declared state: suspended"
        if !saves.isEmpty {
            let files = saves.map { "\($0.save.path) on \($0.host)" }
            notice(
                .restoredOutside, host: o, domain: d.name,
                "\(d.name) is declared suspended but runs on \(o) while its save file exists (\(Text.conjunction(files))): "
                    + "it was restored outside xenplan; it is suspended again, and the stale file replaced")
            reason += "; it runs although its save file exists (restored outside xenplan): the new save replaces the stale file"
        }
        add(
            Draft(
                kind: .suspend, host: o, domain: d.name,
                summary: "\(Text.vcpus(s.vcpusOnline)), \(s.memoryTarget) saved to \(path); its memory and vCPUs freed",
                reason: reason, disruption: .pause,
                operations: (configDue ? [.writeConfig(wanted)] : []) + [.save(domain: d.name, directory: directory)],
                releaseHost: o, release: usage))
        ledger[d.name] = Ledger.Entry(host: o, usage: Resources(), up: false)
        for copy in saves where !(copy.seenFrom.contains(o) && Self.sameDirectory(copy.save.directory, directory)) {
            removeSave(
                copy, of: d.name, disruption: .none,
                reason: "\(d.name) is saved again to \(path) on \(o): restoring this one would run the guest on disks that moved on")
        }
    }

    /// The operations that discard the save files of a domain no longer declared that
    /// `host` sees (destroying it discards its suspended memory).
    func saveRemovals(of name: String, on host: String) -> [HostOperation] {
        saveFiles(of: name).filter { $0.seenFrom.contains(host) }.map {
            .removeSave(domain: name, directory: $0.save.directory, partial: false)
        }
    }

    /// Save files of domains no longer declared that no host running it or holding its
    /// configuration sees: destroyed when xenplan manages the domain (a configuration of it
    /// exists, and none is protected), else reported.
    mutating func planUndeclaredSaves() {
        var names = Set<String>()
        for host in observed.hostNames {
            for save in observed.hosts[host]?.state.saves ?? [] where !save.partial && desired.declared[save.domain] == nil {
                names.insert(save.domain)
            }
        }
        for name in names.sorted() {
            let holders = Set((observed.runningOn[name] ?? []) + (observed.configOn[name] ?? []))
            let configs = (observed.configOn[name] ?? []).compactMap { observed.hosts[$0]?.config(name) }
            if configs.contains(where: \.protect) { continue }
            for copy in saveFiles(of: name) where holders.isDisjoint(with: copy.seenFrom) {
                if configs.isEmpty {
                    notice(
                        .unmanaged, host: copy.host, domain: name,
                        "\(copy.save.path) on \(copy.host) is a save file of \(name), which is not declared and has no configuration: left alone")
                    continue
                }
                addDestroy(
                    name, on: copy.host, usage: Resources(),
                    operations: [.removeSave(domain: name, directory: copy.save.directory, partial: false)],
                    summary: "save file \(copy.save.path) of \(name), no longer declared: its suspended memory discarded",
                    reason: "\(name) was created by xenplan and is no longer in the manifests", disks: [])
            }
        }
    }

    /// A remove-save draft for one file.
    private mutating func removeSave(_ copy: SaveCopy, of name: String, disruption: Disruption, reason: String) {
        add(
            Draft(
                kind: .removeSave, host: copy.host, domain: name, summary: "\(copy.save.path) (\(copy.save.size))",
                reason: reason, disruption: disruption,
                operations: [.removeSave(domain: name, directory: copy.save.directory, partial: false)]))
    }
}

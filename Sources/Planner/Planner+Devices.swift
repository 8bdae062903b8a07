import HostModel
import Manifest
import XenplanBasics

/// A volume that a removal leaves unused: reported, or removed with --allow-data-loss.
struct OrphanCandidate {
    var key: VolumeKey
    var host: String
    var domain: String?
    /// The draft after which nothing uses the volume any more.
    var after: Int?
    var why: String
}

/// Disks and NICs of a running domain: hot-plugged to match the manifests.
extension PlanBuilder {
    mutating func deviceChanges(_ d: DomainSpec, _ s: DomainState, disks: [ResolvedDisk], on host: String,
                                volumeDeps: [Int]) -> [Draft] {
        var detach: [Draft] = []
        var attach: [Draft] = []
        let desiredByVdev = Dictionary(disks.map { ($0.vdev, $0) }, uniquingKeysWith: { a, _ in a })
        var observedByVdev: [String: DiskState] = [:]
        for disk in s.disks { observedByVdev[Normalize.vdev(disk.vdev)] = disk }

        for disk in s.disks.sorted(by: { Normalize.vdev($0.vdev) < Normalize.vdev($1.vdev) }) {
            let vdev = Normalize.vdev(disk.vdev)
            if let want = desiredByVdev[vdev], want.target == disk.target, want.spec.readOnly == disk.readOnly { continue }
            detach.append(Draft(kind: .detachDisk, host: host, domain: d.name, summary: "\(vdev) (\(disk.target))",
                                reason: desiredByVdev[vdev] == nil ? "disk \(vdev) is no longer declared" : "disk \(vdev) is declared differently",
                                disruption: .live, operations: [.detachDisk(domain: d.name, vdev: vdev)]))
            if let key = hosts[host]?.volumeByTarget[disk.target] {
                detach[detach.count - 1].leavesVolumes.append(OrphanCandidate(
                    key: key, host: host, domain: d.name, after: nil, why: "was disk \(vdev) of \(d.name)"))
            }
        }
        for disk in disks {
            if let have = observedByVdev[disk.vdev], have.target == disk.target, have.readOnly == disk.spec.readOnly { continue }
            if let why = diskInUse(d.name, disks: [disk.config]) {
                notice(.diskInUse, host: host, domain: d.name, "disk \(disk.vdev) of \(d.name) is not attached: \(why.dropFirst("disk \(disk.vdev) ".count))")
                continue
            }
            let deps = disk.volume.flatMap { volumeDraft[$0] }.map { [$0] } ?? []
            attach.append(Draft(kind: .attachDisk, host: host, domain: d.name,
                                summary: "\(disk.vdev) → \(disk.target)" + (disk.spec.readOnly ? " (read-only)" : ""),
                                reason: "disk \(disk.spec.name) is declared but not attached", disruption: .live,
                                operations: [.attachDisk(domain: d.name, disk: disk.config)], deps: deps))
        }
        _ = volumeDeps

        let match = Self.matchNics(desired: d.network, observed: s.nics)
        var detachedMacs: Set<Int> = []
        for (i, nic) in d.network.enumerated() {
            guard let j = match.observedFor[i] else { continue }
            let have = s.nics[j]
            if have.bridge != nic.bridge || Normalize.ip(have.ip) != Normalize.ip(nic.ip) { detachedMacs.insert(j) }
        }
        for j in match.unmatched { detachedMacs.insert(j) }
        for j in detachedMacs.sorted() {
            let nic = s.nics[j]
            detach.append(Draft(kind: .detachNic, host: host, domain: d.name, summary: "\(nic.mac) on \(nic.bridge)",
                                reason: match.unmatched.contains(j) ? "interface \(nic.mac) is not declared" : "interface \(nic.mac) is declared differently",
                                disruption: .live, operations: [.detachNic(domain: d.name, mac: Normalize.mac(nic.mac) ?? nic.mac)]))
        }
        for (i, nic) in d.network.enumerated() {
            let j = match.observedFor[i]
            if let j, !detachedMacs.contains(j) { continue }
            let mac = Normalize.mac(nic.mac) ?? j.flatMap { Normalize.mac(s.nics[$0].mac) } ?? chosenMAC(domain: d.name, index: i)
            let config = DomainConfig.Nic(bridge: nic.bridge, mac: mac, ip: Normalize.ip(nic.ip))
            attach.append(Draft(kind: .attachNic, host: host, domain: d.name,
                                summary: nic.bridge + ", mac \(mac)" + (config.ip.map { ", ip \($0)" } ?? ""),
                                reason: "interface on \(nic.bridge) is declared but not attached", disruption: .live,
                                operations: [.attachNic(domain: d.name, nic: config)], deps: bridgeDeps(d, on: host)))
        }
        return detach + attach
    }

    /// A declared domain known only by its configuration (not running).
    mutating func planConfigOnly(_ d: DomainSpec, _ config: DomainConfig, on c: String, declared h: String) {
        finalHost[d.name] = c
        let known = config.nics.map { NicState(bridge: $0.bridge, mac: $0.mac ?? "", ip: $0.ip) }
        if h != c, d.state == .running, canStartElsewhere(config, d, from: c, to: h) {
            startElsewhere(d, config, from: c, to: h, clearing: nil)
            return
        }
        var desired = desiredConfig(d, on: c, observedNics: known, uuid: config.uuid)
        if h != c {
            notice(.migrationBlocked, host: c, domain: d.name,
                   "\(d.name) is declared on \(h) but exists only as a configuration on \(c) (not running): only a running domain moves; it stays on \(c)")
            desired.disks = config.disks
            desired.nics = config.nics
        }
        let configDue = !Normalize.sameConfig(desired: desired, observed: config)
        guard d.state == .running else {
            // The volumes a rewritten configuration names are made with it, so that it can
            // start whenever it is declared running again.
            if configDue {
                let deps = h == c ? planVolumes(d, disks: resolveDisks(d, on: c), on: c) : []
                add(Draft(kind: .writeConfig, host: c, domain: d.name, summary: "update xenplan's configuration",
                          reason: "its configuration differs from the manifests", disruption: .none,
                          operations: [.writeConfig(desired)], deps: deps))
            }
            return
        }
        if holdIfDiskInUse(d, disks: desired.disks, on: c) { return }
        let deps = (h == c ? planVolumes(d, disks: resolveDisks(d, on: c), on: c) : []) + bridgeDeps(d, on: c)
        let usage = Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus)
        add(Draft(kind: .start, host: c, domain: d.name, summary: "\(Text.vcpus(d.vcpus)), \(d.memory) from its configuration",
                  reason: "declared running, exists only as a configuration", disruption: .none,
                  operations: (configDue ? [.writeConfig(desired)] : []) + [.create(domain: d.name)],
                  deps: deps, takeHost: c, take: usage))
        ledger[d.name] = LedgerEntry(host: c, usage: usage, up: true)
    }

    /// A declared domain that is not running on `from` (only a configuration, or shut
    /// down or crashed) and is declared on `to`, which reaches all its disks: nothing has
    /// to move live, so it is cleared on `from` (its configuration removed first, so no
    /// reboot ever finds two) and started on `to`.
    mutating func startElsewhere(_ d: DomainSpec, _ config: DomainConfig, from: String, to: String, clearing stopped: DomainState?) {
        let known = config.nics.map { NicState(bridge: $0.bridge, mac: $0.mac ?? "", ip: $0.ip) }
        // With the disks declared there (they are its old ones when its pools are shared).
        let desired = desiredConfig(d, on: to, observedNics: stopped?.nics ?? known, uuid: config.uuid)
        if holdIfDiskInUse(d, disks: desired.disks, on: to) { return }
        let volumeDeps = planVolumes(d, disks: resolveDisks(d, on: to), on: to)
        var clear = Draft(kind: .removeStaleConfig, host: from, domain: d.name,
                          summary: (stopped.map { "clear \(d.name) (\($0.state.rawValue)) and its configuration" }
                              ?? "remove the configuration of \(d.name)") + ", which starts on \(to)",
                          reason: "declared on \(to); a reboot of \(from) would start a second \(d.name) on the same disks",
                          disruption: .none,
                          operations: (stopped == nil ? [] : [.destroy(domain: d.name)])
                              + (hosts[from]?.config(d.name) == nil ? [] : [.removeConfig(name: d.name)]))
        if let stopped {
            clear.releaseHost = from
            clear.release = Resources(memory: Planner.footprint(of: stopped), vcpus: 0)
        }
        add(clear)
        configOn[d.name] = configOn[d.name]?.filter { $0 != from }
        finalHost[d.name] = to
        let usage = Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus)
        add(Draft(kind: .start, host: to, domain: d.name,
                  summary: "\(Text.vcpus(d.vcpus)), \(d.memory), moved from \(from) while not running",
                  reason: "declared running on \(to), not running on \(from); its disks are on shared pools",
                  disruption: .none, operations: [.writeConfig(desired), .create(domain: d.name)],
                  deps: volumeDeps + bridgeDeps(d, on: to), takeHost: to, take: usage))
        ledger[d.name] = LedgerEntry(host: to, usage: usage, up: true)
    }

    /// A declared domain that does not exist anywhere: volumes, configuration, `xl create`.
    mutating func planCreate(_ d: DomainSpec, on h: String, placed: Bool) {
        let disks = resolveDisks(d, on: h)
        if d.state == .running, holdIfDiskInUse(d, disks: disks.map(\.config), on: h) { return }
        let deps = planVolumes(d, disks: disks, on: h) + bridgeDeps(d, on: h)
        let running = d.state == .running
        let usage = running ? Resources(memory: Planner.footprint(of: d), vcpus: d.vcpus) : Resources()
        let volumes = disks.compactMap { disk -> String? in
            guard let key = disk.volume, let size = disk.spec.size else { return nil }
            let new = volumeDraft[key].map { drafts[$0].kind == .createVolume } ?? false
            return "\(key.description) \(size)" + (new ? " (new)" : "")
        }
        var summary = "\(Text.vcpus(d.vcpus)), \(d.memory)"
        if !volumes.isEmpty { summary += "; volume\(volumes.count == 1 ? "" : "s") " + volumes.joined(separator: ", ") }
        if d.identity.seed {
            let keys = d.identity.sshKeys.count
            summary += "; first-boot seed: hostname \(d.identity.hostname)"
                + (keys == 0 ? "" : ", \(keys) ssh key\(keys == 1 ? "" : "s")")
                + (d.identity.passwordHash == nil ? "" : ", root password")
        }
        if !running { summary += "; left stopped" }
        add(Draft(kind: .create, host: h, domain: d.name, summary: summary,
                  reason: "declared, does not exist" + (placed ? "; placed on \(h): most free memory among the hosts that fit" : ""),
                  disruption: .none,
                  operations: [.writeConfig(desiredConfig(d, on: h))] + (running ? [.create(domain: d.name)] : []),
                  deps: deps, takeHost: running ? h : nil, take: usage))
        ledger[d.name] = LedgerEntry(host: h, usage: usage, up: running)
    }
}

/// Wording shared by summaries and notices.
enum Text {
    static func vcpus(_ n: Int) -> String { n == 1 ? "1 vCPU" : "\(n) vCPUs" }
    static func boot(_ b: DomainConfig.Boot) -> String {
        switch b {
        case .pygrub: return "pygrub"
        case let .kernel(kernel, _, _): return "kernel \(kernel)"
        }
    }
}

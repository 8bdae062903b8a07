/// Random labs and random next versions of them, from a seed: 2–5 simulated hosts,
/// shared and host-local LVM and `dir` pools, groups with quotas and `spread`, 0–40
/// domains placed or free, with and without MACs, stopped, protected, restartable.
///
/// Only labs that pass `LabBlueprint.problems` are proposed, and only with room to spare
/// (`comfortable`): a lab the planner must refuse for want of memory is a fine case, but
/// one that is refused every time proves little.
public struct LabGenerator: Sendable {
    public var random: SeededRandom
    /// Draws for suspend and backups, kept apart so that the labs and steps of a seed
    /// stay what they were before these existed.
    public var extra: SeededRandom
    /// Draws for cold moves, kept apart for the same reason.
    public var moves: SeededRandom
    private var serial = 0

    public static let domainFiles = ["domains-a.yaml", "domains-b.yaml", "domains-c.yaml"]
    /// The operation kinds worth failing: those the plans of these labs use.
    public static let faultKinds = [
        "create", "mem-set", "vcpu-set", "migrate", "shutdown", "create-volume",
        "write-config", "remove-config", "block-attach", "network-attach", "destroy",
        "remove-volume", "grow-volume", "discard-migration-copy", "keep-migration-copy",
        "copy-image", "write-seed", "save", "restore", "remove-save", "backup", "restore-volume",
        "receive-volume", "send-volume", "commit-volume",
    ]

    /// Whether a person's unmanaged guest may be given a declared domain's volume (the
    /// planner must then hold starts, restarts and migrations that would share it).
    public var personsReuseVolumes: Bool

    public init(seed: UInt64, personsReuseVolumes: Bool = true) {
        random = SeededRandom(seed: seed)
        extra = SeededRandom(seed: seed ^ 0x5EED_BAC0_0F5A_0E13)
        moves = SeededRandom(seed: seed ^ 0xC01D_0000_3017_E5A1)
        self.personsReuseVolumes = personsReuseVolumes
    }

    // MARK: Labs

    public mutating func lab(maxDomains: Int = 40) -> LabBlueprint {
        let hostCount = random.int(2...5)
        var hosts: [HostBlueprint] = []
        for i in 1...hostCount {
            hosts.append(
                HostBlueprint(
                    name: "h\(i)", memory: random.pick([3072, 4096, 6144, 8192])!, cpus: random.int(2...8),
                    dom0Memory: random.pick([256, 512, 1024])!, dom0Vcpus: random.int(1...2), vcpuRatio: random.int(1...4),
                    bridges: random.chance(0.3) ? ["xenbr0", "xenbr1"] : ["xenbr0"]))
        }
        let names = hosts.map(\.name)
        var pools: [PoolBlueprint] = []
        if random.chance(0.7) { pools.append(PoolBlueprint(name: "san", kind: .lvm(volumeGroup: "san"), hosts: names, shared: true)) }
        if hostCount > 2, random.chance(0.4) {
            let some = Array(names.shuffled(using: &random).prefix(random.int(2...(hostCount - 1)))).sorted()
            pools.append(PoolBlueprint(name: "san2", kind: .lvm(volumeGroup: "san2"), hosts: some, shared: true))
        }
        if random.chance(0.4) { pools.append(PoolBlueprint(name: "nfs", kind: .dir(path: "/srv/nfs"), hosts: names, shared: true)) }
        for h in names {
            if random.chance(0.6) { pools.append(PoolBlueprint(name: "local-\(h)", kind: .lvm(volumeGroup: "vg-\(h)"), hosts: [h], shared: false)) }
            if random.chance(0.2) { pools.append(PoolBlueprint(name: "img-\(h)", kind: .dir(path: "/srv/img-\(h)"), hosts: [h], shared: false)) }
        }
        // Half the labs back their guests up into a dir pool every host reaches.
        var backups: BackupBlueprint?
        if extra.chance(0.5) {
            pools.append(PoolBlueprint(name: "backup", kind: .dir(path: "/srv/backup"), hosts: names, shared: names.count > 1))
            backups = BackupBlueprint(
                pool: "backup", keep: extra.int(1...3), consistency: extra.pick(["live", "pause", "pause", "shutdown"])!)
        }
        var groups: [GroupBlueprint] = []
        for i in 0..<random.int(0...3) { groups.append(GroupBlueprint(name: "g\(i + 1)", spread: random.chance(0.4))) }
        var lab = LabBlueprint(hosts: hosts, pools: pools, groups: groups, backups: backups)
        // Mostly small labs, now and then a full one: small ones shrink and run fast, and
        // most mistakes need few domains.
        let wanted = random.int(0...random.int(0...maxDomains))
        for _ in 0..<wanted {
            guard let d = newDomain(in: lab) else { continue }
            var next = lab
            next.domains.append(d)
            if next.problems().isEmpty && Self.comfortable(next) { lab = next }
        }
        for i in lab.groups.indices where random.chance(0.5) {
            let running = lab.domains.filter { $0.group == lab.groups[i].name && $0.runs }
            if random.chance(0.6) { lab.groups[i].memory = running.map(\.memory).reduce(0, +) + random.pick([0, 128, 512])! }
            if random.chance(0.6) { lab.groups[i].vcpus = running.map(\.vcpus).reduce(0, +) + random.int(0...2) }
            if lab.groups[i].memory == 0 { lab.groups[i].memory = nil }
            if lab.groups[i].vcpus == 0 { lab.groups[i].vcpus = nil }
        }
        return lab
    }

    /// Room to spare: declared running domains use at most 60% of each host's memory and
    /// 75% of its vCPUs (placed ones) and of the lab's in total (all of them), so that
    /// migrations and restarts have somewhere to go.
    public static func comfortable(_ lab: LabBlueprint) -> Bool {
        func available(_ h: HostBlueprint) -> Int { h.memory - h.dom0Memory - max(64, h.memory / 64) }
        let running = lab.domains.filter(\.runs)
        func cost(_ d: DomainBlueprint) -> Int { d.memory + 2 + d.maxmem / 512 + (d.hvm == nil ? 0 : 2 + d.maxvcpus + d.maxmem / 128) }
        for h in lab.hosts {
            let here = running.filter { $0.host == h.name }
            if here.map(cost).reduce(0, +) * 10 > available(h) * 6 { return false }
            if here.map(\.vcpus).reduce(0, +) * 4 > h.cpus * h.vcpuRatio * 3 { return false }
        }
        let memory = lab.hosts.map(available).reduce(0, +), vcpus = lab.hosts.map { $0.cpus * $0.vcpuRatio }.reduce(0, +)
        return running.map(cost).reduce(0, +) * 10 <= memory * 6 && running.map(\.vcpus).reduce(0, +) * 4 <= vcpus * 3
    }

    private mutating func nextSerial() -> Int {
        serial += 1
        return serial
    }

    /// A new domain that fits the lab's pools, bridges and groups (not checked for room).
    public mutating func newDomain(in lab: LabBlueprint) -> DomainBlueprint? {
        let n = nextSerial()
        let name = "d\(n)"
        var host: String? = random.chance(0.6) ? random.pick(lab.hostNames) : nil
        let pools = host.map { lab.pools(reachableFrom: $0) } ?? lab.poolsEverywhere
        var disks: [DiskBlueprint] = []
        if !pools.isEmpty {
            for (i, diskName) in ["root", "data"].prefix(random.int(0...2)).enumerated() {
                let size = random.chance(0.2) ? random.int(1...64) : random.pick([8, 16, 32, 64, 128])!
                disks.append(
                    DiskBlueprint(
                        name: diskName, size: size, vdev: "xvd" + ["a", "b"][i],
                        pool: random.chance(0.3) ? nil : random.pick(pools)!.name,
                        image: i == 0 && size >= LabBlueprint.imageSize && random.chance(0.4)))
            }
        }
        let bridges = host.flatMap { lab.host($0)?.bridges } ?? lab.bridgesEverywhere
        var nics: [NicBlueprint] = []
        for i in 0..<random.int(0...2) {
            // One MAC per domain at most: derived from its serial, so never written twice.
            let mac = i == 0 && random.chance(0.5) ? "00:16:3e:7a:\(Self.hex(n / 256)):\(Self.hex(n % 256))" : nil
            nics.append(
                NicBlueprint(
                    bridge: random.pick(bridges) ?? "xenbr0", mac: mac,
                    ip: random.chance(0.5) ? "10.\(i).\(n / 250).\(n % 250 + 1)" : nil))
        }
        let memory = random.pick([64, 96, 128, 128, 192, 256, 384, 512])!
        let maxmem = random.chance(0.6) ? memory : memory + random.pick([64, 128, 256, memory])!
        let vcpus = random.chance(0.7) ? 1 : random.int(2...3)
        let maxvcpus = random.chance(0.6) ? vcpus : vcpus + random.int(1...2)
        var group: String? = nil
        if let g = random.chance(0.4) ? random.pick(lab.groups) : nil {
            let members = lab.domains.filter { $0.group == g.name }
            if !g.spread {
                group = g.name
            } else if members.count < lab.hosts.count {
                group = g.name
                if let h = host, members.contains(where: { $0.host == h }) { host = nil }
            }
        }
        if host == nil, disks.contains(where: { $0.pool.map { p in !lab.poolsEverywhere.contains { $0.name == p } } ?? false }) {
            disks = []
        }
        var domain = DomainBlueprint(
            name: name, host: host, group: group, memory: memory, maxmem: maxmem, vcpus: vcpus,
            maxvcpus: maxvcpus, disks: disks, nics: nics, restartAllowed: random.chance(0.4),
            protect: random.chance(0.15), stopped: random.chance(0.15),
            file: random.pick(Self.domainFiles)!,
            hostname: random.chance(0.3) ? "\(name).lab" : nil, nextBoot: random.chance(0.5))
        domain.suspended = !domain.stopped && extra.chance(0.05)
        domain.noBackups = lab.backups != nil && extra.chance(0.15)
        if extra.chance(0.15) { domain.hvm = HvmBlueprint(uefi: extra.chance(0.5), cdrom: extra.chance(0.5)) }
        for i in domain.nics.indices {
            if extra.chance(0.2) { domain.nics[i].rate = extra.pick(Self.rates) }
            // Unique in the lab: named after the domain's serial.
            if extra.chance(0.2) { domain.nics[i].vifname = "\(name)-\(i)" }
        }
        return domain
    }

    static let rates = ["10Mb/s", "100Mb/s", "5MB/s"]

    static func hex(_ value: Int) -> String {
        let s = String(value & 0xff, radix: 16)
        return s.count == 1 ? "0" + s : s
    }

    // MARK: Transitions

    /// A random next step from `lab`: a change that keeps the lab valid (or none),
    /// sometimes out-of-band changes, faults or an interruption, and the apply's gates.
    public mutating func transition(from lab: LabBlueprint) -> LabTransition {
        var t = LabTransition()
        if random.chance(0.85) {
            for _ in 0..<8 {
                if let change = change(of: lab), let next = change.applied(to: lab), Self.comfortable(next) {
                    t.change = change
                    break
                }
            }
        }
        // Suspend and resume, on top of the step's own change when there is none.
        if t.change == nil || extra.chance(0.1), let d = extra.pick(lab.domains.filter { !$0.stopped }), extra.chance(0.5) {
            let change = LabChange.setSuspended(d.name, !d.suspended)
            if let next = change.applied(to: lab), Self.comfortable(next) { t.change = change }
        }
        // Firmware devices and interface rates, which a running guest only takes at its next start.
        if t.change == nil || extra.chance(0.05), let d = extra.pick(lab.domains), extra.chance(0.2) {
            let hvm = extra.chance(0.5) ? nil : HvmBlueprint(uefi: extra.chance(0.5), cdrom: extra.chance(0.5))
            let change = LabChange.setDevices(d.name, hvm: hvm, rate: extra.chance(0.5) ? nil : extra.pick(Self.rates))
            if let next = change.applied(to: lab), Self.comfortable(next) { t.change = change }
        }
        // A guest on its host's local storage declared on another host, now and then.
        if moves.chance(0.08), let change = coldMove(in: lab), let next = change.applied(to: lab), Self.comfortable(next) {
            t.change = change
        }
        if lab.backups != nil, extra.chance(0.2) {
            t.backupFirst = true
            if extra.chance(0.3), let d = extra.pick(lab.domains.filter { !$0.disks.isEmpty && !$0.noBackups }) {
                t.restoreAs = RestoreRequest(domain: d.name, newName: "r\(nextSerial())")
            }
        }
        if random.chance(0.25) {
            for _ in 0..<random.int(1...2) { if let c = outOfBand(in: lab) { t.outOfBand.append(c) } }
        }
        if random.chance(0.15) {
            var fault = InjectedFault(
                host: random.pick(lab.hostNames)!, operation: random.pick(Self.faultKinds)!, times: random.int(1...2))
            // Half the failed creates are libxl's hotplug deadline, which the drivers try again.
            if fault.operation == "create", random.chance(0.5) { fault.message = InjectedFault.hotplugTimeout }
            t.faults.append(fault)
        }
        // A new guest's create meeting libxl's hotplug deadline, once or twice: tried again.
        if case let .addDomain(d)? = t.change, t.faults.isEmpty, extra.chance(0.3),
            let host = d.host ?? extra.pick(lab.hostNames)
        {
            t.faults.append(InjectedFault(host: host, operation: "create", times: extra.int(1...2), message: InjectedFault.hotplugTimeout))
        }
        if random.chance(0.12) {
            t.interruption =
                random.chance(0.4)
                ? .stopAfterStarting(random.int(1...4))
                : .crashAfterOperations(random.int(0...8), midOperation: random.chance(0.5))
        }
        t.gates = ApplyGates(
            allowDestroy: random.chance(0.6), allowDataLoss: random.chance(0.2),
            allowRestart: random.chance(0.2))
        return t
    }

    private mutating func change(of lab: LabBlueprint) -> LabChange? {
        let d = random.pick(lab.domains)
        switch random.int(0...9) {
        case 0, 1:
            return newDomain(in: lab).map(LabChange.addDomain)
        case 2:
            return d.map { .removeDomain($0.name) }
        case 3, 4:
            guard let d else { return nil }
            let memory = random.chance(0.5) ? d.memory : random.pick([64, 96, 128, 192, 256, 384, 512, 768])!
            let maxmem = random.chance(0.6) ? max(d.maxmem, memory) : memory + random.pick([0, 64, 256])!
            let vcpus = random.chance(0.6) ? d.vcpus : random.int(1...3)
            let maxvcpus = random.chance(0.6) ? max(d.maxvcpus, vcpus) : vcpus + random.int(0...1)
            return .resize(d.name, memory: memory, maxmem: maxmem, vcpus: vcpus, maxvcpus: maxvcpus)
        case 5:
            guard let d else { return nil }
            return .move(d.name, host: random.chance(0.8) ? random.pick(lab.hostNames) : nil)
        case 6:
            return d.map { .setStopped($0.name, !$0.stopped) }
        case 7:
            guard let g = random.pick(lab.groups) else { return nil }
            let running = lab.domains.filter { $0.group == g.name && !$0.stopped }
            let memory = running.map(\.memory).reduce(0, +) + random.pick([0, 64, 512])!
            let vcpus = running.map(\.vcpus).reduce(0, +) + random.int(0...2)
            return .setQuota(
                group: g.name, memory: random.chance(0.7) && memory > 0 ? memory : nil,
                vcpus: random.chance(0.7) && vcpus > 0 ? vcpus : nil)
        case 8:
            guard let d else { return nil }
            if d.seeded, random.chance(0.3) {
                return .setIdentity(
                    d.name, hostname: random.pick([nil, "\(d.name).lab", "\(d.name)-2.lab"])!,
                    nextBoot: random.chance(0.5))
            }
            return random.chance(0.5) ? .setProtect(d.name, !d.protect) : .setRestartAllowed(d.name, !d.restartAllowed)
        default:
            return random.chance(0.3) ? random.pick(Set(lab.domains.map(\.file)).sorted()).map(LabChange.dropFile) : nil
        }
    }

    /// A cold move of a guest whose every disk is an LVM volume, some on its host's local
    /// pool, to another host with a local LVM pool.
    private mutating func coldMove(in lab: LabBlueprint) -> LabChange? {
        let candidates = lab.domains.filter { d in
            guard let host = d.host, !d.disks.isEmpty else { return false }
            let pools = d.disks.compactMap { lab.effectivePool(of: $0, in: d) }
            return pools.count == d.disks.count && pools.allSatisfy({ !$0.kind.isDirectory }) && pools.contains { $0.hosts == [host] }
        }
        guard let d = moves.pick(candidates) else { return nil }
        let targets = lab.hostNames.filter { h in h != d.host && lab.pools.contains { $0.hosts == [h] && !$0.kind.isDirectory } }
        return moves.pick(targets).map { LabChange.moveCold(d.name, host: $0) }
    }

    /// A person's `xl` command on a random host: mostly about declared domains (which may
    /// not run there; then `xl` refuses and nothing happens), sometimes an unmanaged guest.
    private mutating func outOfBand(in lab: LabBlueprint) -> OutOfBandChange? {
        guard let host = random.pick(lab.hostNames) else { return nil }
        let d = random.pick(lab.domains)
        let onHost = d?.host ?? host
        switch random.int(0...8) {
        case 0, 1:
            guard let d else { return nil }
            return OutOfBandChange(host: onHost, argv: ["mem-set", d.name, "\(random.pick([32, 64, d.memory / 2, d.memory * 2, d.maxmem])!)M"])
        case 2:
            guard let d else { return nil }
            return OutOfBandChange(host: onHost, argv: ["vcpu-set", d.name, "\(random.int(1...max(1, d.maxvcpus)))"])
        case 3:
            return d.map { OutOfBandChange(host: onHost, argv: [random.chance(0.5) ? "destroy" : "shutdown", $0.name]) }
        case 4:
            return d.map { OutOfBandChange(host: onHost, argv: ["crash", $0.name]) }
        case 5:
            return d.map { OutOfBandChange(host: onHost, argv: ["rm-config", $0.name]) }
        case 6:
            return d.map { OutOfBandChange(host: onHost, argv: ["no-balloon", $0.name]) }
        default:
            // Now and then the dom0 reboots: every guest gone, bridges back only from files.
            if random.chance(0.05) { return OutOfBandChange(host: host, argv: ["reboot"]) }
            var argv = ["create", "u\(nextSerial())", "memory=\(random.pick([64, 128, 256])!)M", "bridge=xenbr0"]
            // Now and then a person reuses a declared domain's volume: xenplan must never
            // start a second writer on it.
            if random.chance(0.3) && personsReuseVolumes, let victim = random.pick(lab.domains.filter { !$0.disks.isEmpty }),
                let disk = victim.disks.first, let pool = lab.effectivePool(of: disk, in: victim)
            {
                let volume = "\(victim.name)-\(disk.name)"
                switch pool.kind {
                case let .lvm(vg): argv.append("disk=xvda:/dev/\(vg)/\(volume)")
                case let .dir(path): argv.append("disk=xvda:\(path)/\(volume).img")
                }
                return OutOfBandChange(host: random.pick(pool.hosts) ?? host, argv: argv)
            }
            return OutOfBandChange(host: host, argv: argv)
        }
    }
}

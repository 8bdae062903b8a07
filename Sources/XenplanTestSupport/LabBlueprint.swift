import HostModel
import Manifest

/// A lab as a property test generates it: plain values that render to manifest YAML
/// (`LabBlueprint+YAML.swift`), small enough to shrink and to print. Sizes are MiB.
///
/// `problems` mirrors the rules the manifest loader enforces, so that the generator only
/// proposes labs the loader should accept; a lab it accepts and the loader refuses is a
/// bug on one side or the other, and the property tests report it as such.
public struct LabBlueprint: Hashable, Sendable {
    public var hosts: [HostBlueprint]
    public var pools: [PoolBlueprint]
    public var groups: [GroupBlueprint]
    public var domains: [DomainBlueprint]
    /// The lab-wide backup policy (`backups:`), if any.
    public var backups: BackupBlueprint?

    public init(
        hosts: [HostBlueprint], pools: [PoolBlueprint] = [], groups: [GroupBlueprint] = [],
        domains: [DomainBlueprint] = [], backups: BackupBlueprint? = nil
    ) {
        self.hosts = hosts
        self.pools = pools
        self.groups = groups
        self.domains = domains
        self.backups = backups
    }

    /// The one image of every generated lab, on every host (raw, `imageSize` MiB).
    public static let imageName = "base"
    public static let imagePath = "/var/lib/xenplan/images/base.img"
    public static let imageSize = 8

    public func host(_ name: String) -> HostBlueprint? { hosts.first { $0.name == name } }
    public func pool(_ name: String) -> PoolBlueprint? { pools.first { $0.name == name } }
    public func group(_ name: String) -> GroupBlueprint? { groups.first { $0.name == name } }
    public func domain(_ name: String) -> DomainBlueprint? { domains.first { $0.name == name } }
    public var hostNames: [String] { hosts.map(\.name) }

    /// Pools `host` reaches, in name order (the order a disk without `pool` is resolved in).
    public func pools(reachableFrom host: String) -> [PoolBlueprint] {
        pools.filter { $0.hosts.contains(host) }.sorted { $0.name < $1.name }
    }

    /// Pools every host reaches: the only ones a domain without `host` may use.
    public var poolsEverywhere: [PoolBlueprint] {
        pools.filter { pool in hosts.allSatisfy { pool.hosts.contains($0.name) } }.sorted { $0.name < $1.name }
    }

    /// Bridges declared on every host.
    public var bridgesEverywhere: [String] {
        guard let first = hosts.first else { return [] }
        return first.bridges.filter { b in hosts.allSatisfy { $0.bridges.contains(b) } }
    }

    /// The pool a disk lands in: its own, else the first one its domain's host reaches
    /// (every host, for a domain without `host`).
    public func effectivePool(of disk: DiskBlueprint, in domain: DomainBlueprint) -> PoolBlueprint? {
        if let name = disk.pool { return pool(name) }
        if let host = domain.host { return pools(reachableFrom: host).first }
        return poolsEverywhere.first
    }

    /// Everything the loader would refuse in this lab, in words; empty when it is valid.
    public func problems() -> [String] {
        var problems: [String] = []
        let hostNames = Set(self.hostNames)
        if hosts.isEmpty { problems.append("no hosts") }
        if let backups {
            if let pool = pool(backups.pool) {
                if case .lvm = pool.kind { problems.append("backup pool \(backups.pool) is not a dir pool") }
            } else {
                problems.append("backup pool \(backups.pool) is not declared")
            }
        }
        for pool in pools {
            if pool.hosts.isEmpty || !Set(pool.hosts).isSubset(of: hostNames) {
                problems.append("pool \(pool.name) reaches undeclared hosts \(pool.hosts)")
            }
            if pool.hosts.count > 1 && !pool.shared { problems.append("pool \(pool.name) is local but reaches several hosts") }
            if pool.hosts.count < 2 && pool.shared { problems.append("shared pool \(pool.name) reaches one host") }
        }
        var macs: Set<String> = [], ips: Set<String> = []
        for d in domains {
            if let host = d.host, !hostNames.contains(host) { problems.append("\(d.name): undeclared host \(host)") }
            if let g = d.group, group(g) == nil { problems.append("\(d.name): undeclared group \(g)") }
            if d.memory > d.maxmem { problems.append("\(d.name): memory above maxmem") }
            if d.vcpus > d.maxvcpus { problems.append("\(d.name): vcpus above maxvcpus") }
            for disk in d.disks {
                if disk.image && disk.size < Self.imageSize { problems.append("\(d.name): disk \(disk.name) smaller than the image") }
                guard let pool = effectivePool(of: disk, in: d) else {
                    problems.append("\(d.name): disk \(disk.name) has no pool")
                    continue
                }
                let reach = d.host.map { [$0] } ?? self.hostNames
                if !reach.allSatisfy(pool.hosts.contains) {
                    problems.append("\(d.name): pool \(pool.name) not reachable")
                }
            }
            let bridges = d.host.flatMap { host($0)?.bridges } ?? bridgesEverywhere
            for nic in d.nics {
                if !bridges.contains(nic.bridge) { problems.append("\(d.name): bridge \(nic.bridge) not declared") }
                if let mac = nic.mac, !macs.insert(mac).inserted { problems.append("\(d.name): MAC \(mac) twice") }
                if let ip = nic.ip, !ips.insert(ip).inserted { problems.append("\(d.name): IP \(ip) twice") }
            }
        }
        for g in groups {
            let members = domains.filter { $0.group == g.name }
            if g.spread {
                if members.count > hosts.count { problems.append("spread group \(g.name) larger than the hosts") }
                let fixed = members.compactMap(\.host)
                if Set(fixed).count != fixed.count { problems.append("spread group \(g.name): two members on one host") }
            }
            let running = members.filter(\.runs)
            if let quota = g.memory, running.map(\.memory).reduce(0, +) > quota { problems.append("group \(g.name) memory quota") }
            if let quota = g.vcpus, running.map(\.vcpus).reduce(0, +) > quota { problems.append("group \(g.name) vCPU quota") }
        }
        for h in hosts {
            let running = domains.filter { $0.host == h.name && $0.runs }
            if running.map(\.memory).reduce(0, +) > h.memory - h.dom0Memory { problems.append("host \(h.name) memory") }
            if running.map(\.vcpus).reduce(0, +) > h.cpus * h.vcpuRatio { problems.append("host \(h.name) vCPUs") }
        }
        return problems
    }
}

/// `backups: {pool, keep, consistency}`.
public struct BackupBlueprint: Hashable, Sendable {
    public var pool: String
    public var keep: Int
    /// `live`, `pause` or `shutdown`.
    public var consistency: String

    public init(pool: String, keep: Int, consistency: String) {
        self.pool = pool
        self.keep = keep
        self.consistency = consistency
    }
}

public struct HostBlueprint: Hashable, Sendable {
    public var name: String
    public var memory: Int
    public var cpus: Int
    public var dom0Memory: Int
    public var dom0Vcpus: Int
    public var vcpuRatio: Int
    /// `xenbr0` (on `eth0`) everywhere; some hosts also have `xenbr1`, VLAN 10 on `eth0`.
    public var bridges: [String]

    public init(name: String, memory: Int, cpus: Int, dom0Memory: Int, dom0Vcpus: Int, vcpuRatio: Int, bridges: [String]) {
        self.name = name
        self.memory = memory
        self.cpus = cpus
        self.dom0Memory = dom0Memory
        self.dom0Vcpus = dom0Vcpus
        self.vcpuRatio = vcpuRatio
        self.bridges = bridges
    }
}

public struct PoolBlueprint: Hashable, Sendable {
    public var name: String
    public var kind: PoolSpec.Kind
    public var hosts: [String]
    public var shared: Bool

    public init(name: String, kind: PoolSpec.Kind, hosts: [String], shared: Bool) {
        self.name = name
        self.kind = kind
        self.hosts = hosts
        self.shared = shared
    }
}

public struct GroupBlueprint: Hashable, Sendable {
    public var name: String
    public var spread: Bool
    public var memory: Int?
    public var vcpus: Int?

    public init(name: String, spread: Bool, memory: Int? = nil, vcpus: Int? = nil) {
        self.name = name
        self.spread = spread
        self.memory = memory
        self.vcpus = vcpus
    }
}

public struct DiskBlueprint: Hashable, Sendable {
    public var name: String
    public var size: Int
    public var vdev: String
    /// nil: the loader resolves it (`LabBlueprint.effectivePool`).
    public var pool: String?
    /// Filled from the lab's image (`LabBlueprint.imageName`) when made.
    public var image: Bool

    public init(name: String, size: Int, vdev: String, pool: String?, image: Bool = false) {
        self.name = name
        self.size = size
        self.vdev = vdev
        self.pool = pool
        self.image = image
    }
}

/// An interface as xenplan writes it (a nil MAC: the planner chooses one).
public typealias NicBlueprint = DomainConfig.Nic

/// An hvm guest's firmware and CD-ROM (a pv guest has none).
public struct HvmBlueprint: Hashable, Sendable {
    public static let cdromPath = "/srv/iso/tools.iso"
    public var uefi: Bool
    /// A CD-ROM drive holding `cdromPath`, tried after the disk.
    public var cdrom: Bool
    public init(uefi: Bool, cdrom: Bool) {
        self.uefi = uefi
        self.cdrom = cdrom
    }
}

public struct DomainBlueprint: Hashable, Sendable {
    public var name: String
    /// nil: the planner places it.
    public var host: String?
    public var group: String?
    public var memory: Int
    public var maxmem: Int
    public var vcpus: Int
    public var maxvcpus: Int
    public var disks: [DiskBlueprint]
    public var nics: [NicBlueprint]
    public var restartAllowed: Bool
    public var protect: Bool
    public var stopped: Bool
    /// The manifest file that declares it (`domains-a.yaml`, …), so that a whole file can
    /// be dropped.
    public var file: String
    /// A seeded guest's (one with a disk from the image) declared host name; nil: its name.
    public var hostname: String?
    /// `identityChanges: next-boot` instead of the default first-boot.
    public var nextBoot: Bool
    /// `state: suspended` (never together with `stopped`).
    public var suspended: Bool
    /// `backups: none`: no backups, and no safety net.
    public var noBackups: Bool
    /// `type: hvm` with its firmware devices; nil: a pv guest.
    public var hvm: HvmBlueprint?

    public init(
        name: String, host: String?, group: String?, memory: Int, maxmem: Int, vcpus: Int, maxvcpus: Int,
        disks: [DiskBlueprint], nics: [NicBlueprint], restartAllowed: Bool, protect: Bool, stopped: Bool,
        file: String, hostname: String? = nil, nextBoot: Bool = false, suspended: Bool = false, noBackups: Bool = false,
        hvm: HvmBlueprint? = nil
    ) {
        self.hvm = hvm
        self.suspended = suspended && !stopped
        self.noBackups = noBackups
        self.hostname = hostname
        self.nextBoot = nextBoot
        self.name = name
        self.host = host
        self.group = group
        self.memory = memory
        self.maxmem = maxmem
        self.vcpus = vcpus
        self.maxvcpus = maxvcpus
        self.disks = disks
        self.nics = nics
        self.restartAllowed = restartAllowed
        self.protect = protect
        self.stopped = stopped
        self.file = file
    }

    /// The volume names its managed disks use in their pools.
    public var volumeNames: [String] { disks.map { "\(name)-\($0.name)" } }
    /// Whether it gets a first-boot seed (a disk filled from the image).
    public var seeded: Bool { disks.contains(where: \.image) }
    /// Declared running: neither stopped nor suspended (what counts against quotas and room).
    public var runs: Bool { !stopped && !suspended }
}

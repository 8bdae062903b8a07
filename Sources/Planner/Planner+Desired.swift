import HostModel
import Manifest
import XenplanBasics

/// Normalisation and the desired form of a domain's disks, NICs and configuration: what
/// the hypervisor or a driver fills in or spells differently must compare equal, or a
/// converged lab would show changes forever.
enum Normalize {
    /// `xvda`, whether written `xvda` or `/dev/xvda`.
    static func vdev(_ v: String) -> String { v.hasPrefix("/dev/") ? String(v.dropFirst(5)) : v }
    static func mac(_ m: String?) -> String? {
        guard let m, !m.isEmpty else { return nil }
        return m.lowercased()
    }
    static func ip(_ ip: String?) -> String? {
        guard let ip, !ip.isEmpty else { return nil }
        return ip
    }
    /// Memory as Xen keeps it: whole 4 KiB pages.
    static func pages(_ b: ByteSize) -> Int64 { b.kib / 4 }
    static func sameMemory(_ a: ByteSize, _ b: ByteSize) -> Bool { pages(a) == pages(b) }

    /// A configuration as compared: the manifests' hash and the uuid are bookkeeping,
    /// not desired state; disks in vdev order; MACs lower-case; empty IPs absent.
    static func config(_ c: DomainConfig) -> DomainConfig {
        var c = c
        c.manifestHash = ""
        c.manifestFile = nil
        c.uuid = nil
        c.memory = ByteSize(kib: pages(c.memory) * 4)
        c.maxmem = ByteSize(kib: pages(c.maxmem) * 4)
        c.disks = c.disks.map { DomainConfig.Disk(vdev: vdev($0.vdev), target: $0.target, readOnly: $0.readOnly) }
            .sorted { $0.vdev < $1.vdev }
        c.nics = c.nics.map { DomainConfig.Nic(bridge: $0.bridge, mac: mac($0.mac), ip: ip($0.ip)) }
        return c
    }

    /// Equal as desired state. A NIC whose MAC the manifests leave to Xen matches any MAC.
    static func sameConfig(desired: DomainConfig, observed: DomainConfig) -> Bool {
        var d = config(desired)
        let o = config(observed)
        guard d.nics.count == o.nics.count else { return false }
        for i in d.nics.indices where d.nics[i].mac == nil { d.nics[i].mac = o.nics[i].mac }
        return d == o
    }
}

/// A declared disk resolved on a host: the device it reaches and, when xenplan manages
/// the storage, the volume behind it.
struct ResolvedDisk {
    var spec: DiskSpec
    var vdev: String
    var target: String
    var volume: VolumeKey?
    var pool: PoolSpec?
    var config: DomainConfig.Disk { DomainConfig.Disk(vdev: vdev, target: target, readOnly: spec.readOnly) }
}

/// How a domain's observed NICs pair with its declared ones.
struct NicMatch {
    /// For each declared NIC, the index of the observed NIC it is, if any.
    var observedFor: [Int?]
    /// Observed NICs no declared NIC claims.
    var unmatched: [Int]
}

extension PlanBuilder {
    /// The pool of a disk: as resolved by the loader, else the first pool the host reaches
    /// (for a domain the planner places, the loader could not know its host).
    func pool(of disk: DiskSpec, on host: String) -> PoolSpec? {
        if let name = disk.pool { return poolsByName[name] }
        return lab.pools.first { $0.hosts.contains(host) }
    }

    func resolveDisks(_ d: DomainSpec, on host: String) -> [ResolvedDisk] {
        d.disks.map { disk in
            if let path = disk.path {
                return ResolvedDisk(spec: disk, vdev: Normalize.vdev(disk.vdev), target: path, volume: nil, pool: nil)
            }
            let pool = pool(of: disk, on: host)
            let name = disk.volumeName(domain: d.name)
            let target = pool?.devicePath(volume: name) ?? "/dev/\(name)"
            let key = pool.map { VolumeKey(container: $0.container, name: name) }
            return ResolvedDisk(spec: disk, vdev: Normalize.vdev(disk.vdev), target: target, volume: key, pool: pool)
        }
    }

    /// Pairs declared NICs with observed ones: by MAC when the manifests give one, then in
    /// order on the same bridge for those that leave the MAC to Xen.
    static func matchNics(desired: [NicSpec], observed: [NicState]) -> NicMatch {
        var taken = Array(repeating: false, count: observed.count)
        var result: [Int?] = Array(repeating: nil, count: desired.count)
        for (i, n) in desired.enumerated() {
            guard let mac = Normalize.mac(n.mac) else { continue }
            if let j = observed.indices.first(where: { !taken[$0] && Normalize.mac(observed[$0].mac) == mac }) {
                taken[j] = true
                result[i] = j
            }
        }
        for (i, n) in desired.enumerated() where n.mac == nil {
            if let j = observed.indices.first(where: { !taken[$0] && observed[$0].bridge == n.bridge }) {
                taken[j] = true
                result[i] = j
            }
        }
        return NicMatch(observedFor: result, unmatched: observed.indices.filter { !taken[$0] })
    }

    static func boot(_ b: BootSpec) -> DomainConfig.Boot {
        switch b {
        case .pygrub: return .pygrub
        case let .kernel(kernel, ramdisk, cmdline): return .kernel(kernel: kernel, ramdisk: ramdisk, cmdline: cmdline)
        }
    }

    /// The configuration file xenplan writes for `d` on `host`. MACs the guest already
    /// has are kept (pinned), so that a restart does not give it a new one; a NIC the
    /// manifests leave to Xen that has none yet gets one chosen here, and a new domain its
    /// UUID, so that what `xl create` starts is exactly what the next plan expects.
    mutating func desiredConfig(_ d: DomainSpec, on host: String, observedNics: [NicState] = [], uuid: String? = nil) -> DomainConfig {
        let match = Self.matchNics(desired: d.network, observed: observedNics)
        var nics: [DomainConfig.Nic] = []
        for (i, n) in d.network.enumerated() {
            let mac = Normalize.mac(n.mac) ?? match.observedFor[i].flatMap { Normalize.mac(observedNics[$0].mac) }
                ?? chosenMAC(domain: d.name, index: i)
            nics.append(DomainConfig.Nic(bridge: n.bridge, mac: mac, ip: Normalize.ip(n.ip)))
        }
        return DomainConfig(name: d.name, uuid: uuid ?? StableIdentity.uuid("\(lab.name ?? "")/\(d.name)"), type: d.type.rawValue,
                            memory: d.memory, maxmem: d.maxmem,
                            vcpus: d.vcpus, maxvcpus: d.maxvcpus, cpuWeight: d.cpuWeight, cpuCap: d.cpuCap,
                            boot: Self.boot(d.boot), disks: resolveDisks(d, on: host).map(\.config), nics: nics,
                            seed: seedRecord(d, nics: nics, on: host), protect: d.protect, autostart: d.state == .running, manifestHash: lab.contentHash,
                            manifestFile: d.locations.object.map { Self.fileName($0.file) })
    }

    /// A MAC for NIC `index` of `domain`, in Xen's prefix, the same on every call and in
    /// every plan made from the same lab, and used by nothing else in the lab.
    mutating func chosenMAC(domain: String, index: Int) -> String {
        let key = "\(domain)/\(index)"
        if let mac = chosenMACs[key] { return mac }
        var attempt = 0
        var mac = StableIdentity.xenMAC("\(lab.name ?? "")/\(key)")
        while usedMACs.contains(mac) {
            attempt += 1
            mac = StableIdentity.xenMAC("\(lab.name ?? "")/\(key)/\(attempt)")
        }
        usedMACs.insert(mac)
        chosenMACs[key] = mac
        return mac
    }
}

import HostModel
import Manifest
import Planner
import XenplanBasics

extension Fixture {
    /// An observed host; its free memory is computed the way Xen accounts it (see
    /// `HostState.recomputeFreeMemory`).
    public static func hostState(
        _ name: String, memory: ByteSize = .gib(16), cpus: Int = 8, dom0: ByteSize = .gib(1),
        xen: String = "4.17.7", bridges: [String] = ["xenbr0"], domains: [DomainState] = [],
        configs: [DomainConfig] = [], volumes: [VolumeState] = []
    ) -> HostState {
        let dom0State = DomainState(
            name: "Domain-0", domid: 0, uuid: "00000000-0000-0000-0000-000000000000",
            memoryTarget: dom0, memoryStaticMax: dom0, memoryActual: dom0, vcpusOnline: 2, maxVcpus: 2)
        var h = HostState(
            name: name, xenVersion: xen, totalMemory: memory, freeMemory: .zero, cpus: cpus, dom0Memory: dom0,
            domains: [dom0State] + domains, configs: configs, volumes: volumes,
            bridges: bridges.enumerated().map { BridgeState(name: $1, interfaces: ["eth\($0)"]) })
        h.recomputeFreeMemory()
        return h
    }

    /// A running domain as Xen shows it; sizes in MiB.
    public static func domainState(
        _ name: String, domid: Int = 1, memory: Int64 = 256, maxmem: Int64? = nil,
        actual: Int64? = nil, vcpus: Int = 1, maxvcpus: Int? = nil, weight: Int = 256,
        cap: Int = 0, state: RunState = .running, disks: [DiskState] = [],
        nics: [NicState]? = nil
    ) -> DomainState {
        DomainState(
            name: name, domid: domid, uuid: uuid(for: name), state: state, memoryTarget: .mib(memory),
            memoryStaticMax: .mib(maxmem ?? memory), memoryActual: .mib(actual ?? memory), vcpusOnline: vcpus,
            maxVcpus: maxvcpus ?? vcpus, cpuWeight: weight, cpuCap: cap, disks: disks,
            nics: nics ?? [NicState(bridge: "xenbr0", mac: mac(for: name))])
    }

    public static func uuid(for name: String) -> String {
        let s = StableIdentity.hex(StableIdentity.hash(name))
        return "\(s.prefix(8))-\(s.dropFirst(8).prefix(4))-4000-8000-\(s.suffix(4))00000000"
    }

    // MARK: Observed forms of declared domains (a converged lab)

    /// The device a declared disk reaches on `host`, as the loader would resolve it.
    public static func target(of disk: DiskSpec, domain: String, pools: [PoolSpec], host: String) -> String {
        if let path = disk.path { return path }
        let pool = disk.pool.flatMap { p in pools.first { $0.name == p } } ?? pools.first { $0.hosts.contains(host) }
        return pool?.devicePath(volume: disk.volumeName(domain: domain)) ?? "/dev/\(disk.volumeName(domain: domain))"
    }

    /// The DomainState of `spec` running exactly as declared.
    public static func observed(_ spec: DomainSpec, domid: Int, pools: [PoolSpec], host: String) -> DomainState {
        DomainState(
            name: spec.name, domid: domid, uuid: uuid(for: spec.name), memoryTarget: spec.memory,
            memoryStaticMax: spec.maxmem, memoryActual: spec.memory, vcpusOnline: spec.vcpus,
            maxVcpus: spec.maxvcpus, cpuWeight: spec.cpuWeight, cpuCap: spec.cpuCap, type: spec.type.rawValue,
            disks: spec.disks.map {
                DiskState(
                    vdev: $0.vdev, target: target(of: $0, domain: spec.name, pools: pools, host: host),
                    readOnly: $0.readOnly)
            },
            nics: spec.network.enumerated().map { i, n in
                NicState(bridge: n.bridge, mac: n.mac ?? mac(for: "\(spec.name)#\(i)"), ip: n.ip)
            })
    }

    /// The configuration xenplan would have written for `spec`.
    public static func config(_ spec: DomainSpec, pools: [PoolSpec], host: String, macs: [String]? = nil) -> DomainConfig {
        return DomainConfig(
            name: spec.name, uuid: uuid(for: spec.name), type: spec.type.rawValue, memory: spec.memory,
            maxmem: spec.maxmem, vcpus: spec.vcpus, maxvcpus: spec.maxvcpus, cpuWeight: spec.cpuWeight,
            cpuCap: spec.cpuCap, boot: .declared(by: spec),
            disks: spec.disks.map {
                DomainConfig.Disk(
                    vdev: $0.vdev, target: target(of: $0, domain: spec.name, pools: pools, host: host),
                    readOnly: $0.readOnly)
            },
            nics: spec.network.enumerated().map { i, n in
                DomainConfig.Nic(
                    bridge: n.bridge, mac: n.mac ?? macs?[i] ?? mac(for: "\(spec.name)#\(i)"), ip: n.ip, rate: n.rate, vifname: n.vifname)
            },
            hvm: .declared(by: spec),
            protect: spec.protect, autostart: spec.state == .running, manifestHash: "test-hash")
    }

    /// The volumes of `spec`'s disks at their declared size.
    public static func volumes(_ spec: DomainSpec, pools: [PoolSpec], host: String) -> [VolumeState] {
        spec.disks.compactMap { disk in
            guard disk.path == nil, let size = disk.size else { return nil }
            let pool = disk.pool.flatMap { p in pools.first { $0.name == p } } ?? pools.first { $0.hosts.contains(host) }
            guard let pool else { return nil }
            return VolumeState(container: pool.container, name: disk.volumeName(domain: spec.name), size: size, owned: true)
        }
    }

    /// Every declared host of `lab` observed exactly as declared: each domain with a host
    /// runs there (or has only its configuration when declared stopped), with its
    /// configuration, volumes and bridges. Shared pools' volumes appear on every host
    /// that reaches them.
    public static func converged(_ lab: Lab, xen: String = "4.17.7") -> [HostState] {
        var states: [String: HostState] = [:]
        for h in lab.hosts {
            states[h.name] = hostState(
                h.name, memory: h.simMemory ?? .gib(16), cpus: h.simCpus ?? 8, dom0: h.dom0Memory,
                xen: xen, bridges: h.bridges.map(\.name))
        }
        var domid = 1
        var held: Set<String> = []
        for d in lab.domains {
            guard let host = d.host, states[host] != nil else { continue }
            if d.state == .running {
                states[host]!.domains.append(observed(d, domid: domid, pools: lab.pools, host: host))
                domid += 1
            }
            states[host]!.configs.append(config(d, pools: lab.pools, host: host))
            for v in volumes(d, pools: lab.pools, host: host) {
                let pool = lab.pools.first { $0.container == v.container }
                let holders = (pool?.shared ?? false) ? (pool?.hosts ?? [host]) : [host]
                for holder in holders where states[holder] != nil {
                    if held.insert("\(holder)/\(v.container)/\(v.name)").inserted { states[holder]!.volumes.append(v) }
                }
            }
        }
        return lab.hosts.compactMap { h in
            guard var s = states[h.name] else { return nil }
            s.recomputeFreeMemory()
            return s
        }
    }
}

extension HostState {
    /// Free memory as Xen accounts it: total − hypervisor reserve − dom0 − every guest's
    /// footprint (pages held plus overhead).
    public mutating func recomputeFreeMemory() {
        var used = XenMemory.hypervisorReserve(total: totalMemory) + dom0Memory
        for d in domains where d.domid != 0 {
            used += XenMemory.footprint(actual: d.memoryActual, staticMax: d.memoryStaticMax, type: d.type, maxVcpus: d.maxVcpus)
        }
        freeMemory = totalMemory - used
    }

    /// Changes one guest in place (by name) and recomputes free memory.
    public mutating func updateDomain(_ name: String, _ change: (inout DomainState) -> Void) {
        guard let i = domains.firstIndex(where: { $0.name == name && $0.domid != 0 }) else { return }
        change(&domains[i])
        recomputeFreeMemory()
    }

    public mutating func updateConfig(_ name: String, _ change: (inout DomainConfig) -> Void) {
        guard let i = configs.firstIndex(where: { $0.name == name }) else { return }
        change(&configs[i])
    }

    /// Removes a guest (and, with `config`, its configuration) and recomputes free memory.
    public mutating func removeDomain(_ name: String, config: Bool = false) {
        domains.removeAll { $0.name == name && $0.domid != 0 }
        if config { configs.removeAll { $0.name == name } }
        recomputeFreeMemory()
    }

    public mutating func addDomain(_ d: DomainState, config: DomainConfig? = nil) {
        domains.append(d)
        if let config { configs.append(config) }
        recomputeFreeMemory()
    }
}

extension Array where Element == HostState {
    /// The host named `name`, for in-place edits: `hosts[named: "cpt18"].updateDomain(…)`.
    public subscript(named name: String) -> HostState {
        get { first { $0.name == name }! }
        set { self[firstIndex { $0.name == name }!] = newValue }
    }
}

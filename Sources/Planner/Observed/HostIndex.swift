import HostModel
import Manifest
import XenplanBasics

/// One observed host, indexed by name so that no lookup scans a list: the planner must
/// stay near-linear for thousands of domains.
struct HostIndex {
    let state: HostState
    let spec: HostSpec?
    /// Guest domains by name (not dom0, not transient `--incoming`/`--migratedaway` ones).
    var domains: [String: Int] = [:]
    var configs: [String: Int] = [:]
    var volumes: [VolumeKey: ByteSize] = [:]
    /// Volumes xenplan created (tagged): the only ones that can be orphans.
    var ownedVolumes: Set<VolumeKey> = []
    var bridges: Set<String> = []
    /// Domains whose first-boot seed file the host has.
    var seeds: Set<String> = []
    /// Device path or image file (as written in xl.cfg) → the volume it reaches.
    var volumeByTarget: [String: VolumeKey] = [:]
    /// Memory and vCPUs guests may use: total − hypervisor reserve − dom0; cpus × ratio.
    let limit: Resources
    /// What guests use now (footprints, overhead included; vCPUs of running guests).
    var initialUsage = Resources()

    var name: String { state.name }

    init(state: HostState, spec: HostSpec?, pools: [PoolSpec]) {
        self.state = state
        self.spec = spec
        // dom0 may be below its reservation now and balloon up to it later: reserve the larger.
        let dom0 = max(spec?.dom0Memory ?? .zero, state.dom0Memory)
        let memory = state.totalMemory - XenMemory.hypervisorReserve(total: state.totalMemory) - dom0
        limit = Resources(memory: memory, vcpus: state.cpus * (spec?.vcpuRatio ?? HostSpec.defaultVcpuRatio))
        for (i, d) in state.domains.enumerated() where d.domid != 0 {
            initialUsage.memory += Planner.footprint(of: d)
            if d.state.isUp { initialUsage.vcpus += d.vcpusOnline }
            if d.transient == nil, d.state != .dying, domains[d.name] == nil { domains[d.name] = i }
        }
        for (i, c) in state.configs.enumerated() where configs[c.name] == nil { configs[c.name] = i }
        for v in state.volumes {
            let key = VolumeKey(container: v.container, name: v.name)
            volumes[key] = v.size
            if v.owned { ownedVolumes.insert(key) }
        }
        bridges = Set(state.bridges.map(\.name))
        seeds = Set(state.seeds)
        var poolsByContainer: [String: [PoolSpec]] = [:]
        for pool in pools { poolsByContainer[pool.container, default: []].append(pool) }
        for v in state.volumes {
            for pool in poolsByContainer[v.container] ?? [] {
                volumeByTarget[pool.devicePath(volume: v.name)] = VolumeKey(container: v.container, name: v.name)
            }
        }
    }

    func domain(_ name: String) -> DomainState? { domains[name].map { state.domains[$0] } }
    func config(_ name: String) -> DomainConfig? { configs[name].map { state.configs[$0] } }
}

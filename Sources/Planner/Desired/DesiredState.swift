import HostModel
import Manifest
import XenplanBasics

/// The lab as declared, indexed by name, and the options the plan is made with. Never
/// changes once built: every phase looks things up here.
struct DesiredState {
    let lab: Lab
    let options: PlanOptions
    /// Declared domains, pools and hosts by name.
    let declared: [String: DomainSpec]
    let poolsByName: [String: PoolSpec]
    let hostSpecs: [String: HostSpec]
    /// Members of each group, by group name, in declaration order.
    let groupMembers: [String: [String]]
    /// File names of the manifests read: a destroyed domain whose recorded manifest file
    /// is not among them is reported as such.
    let manifestFileNames: Set<String>

    init(lab: Lab, options: PlanOptions) {
        self.lab = lab
        self.options = options
        manifestFileNames = Set(lab.files.map(Self.fileName))
        var pools: [String: PoolSpec] = [:]
        for p in lab.pools { pools[p.name] = p }
        poolsByName = pools
        var specs: [String: HostSpec] = [:]
        for h in lab.hosts { specs[h.name] = h }
        hostSpecs = specs
        var domains: [String: DomainSpec] = [:]
        var members: [String: [String]] = [:]
        for d in lab.domains {
            domains[d.name] = d
            if let g = d.group { members[g, default: []].append(d.name) }
        }
        declared = domains
        groupMembers = members
    }

    /// The last component of a path: how a configuration records its manifest file.
    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The bridges declared on `host`.
    func bridges(on host: String) -> Set<String> {
        Set(hostSpecs[host]?.bridges.map(\.name) ?? [])
    }

    /// The pool of a disk: as resolved by the loader, else the first pool the host reaches
    /// (for a domain the planner places, the loader could not know its host).
    func pool(of disk: DiskSpec, on host: String) -> PoolSpec? {
        if let name = disk.pool { return poolsByName[name] }
        return lab.pools.first { $0.hosts.contains(host) }
    }

    /// The declared pool holding volumes of `container` that `host` reaches.
    func pool(container: String, reachedBy host: String) -> PoolSpec? {
        lab.pools.first { $0.container == container && $0.hosts.contains(host) }
    }

    /// A domain's disks as they would be on `host`.
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
}

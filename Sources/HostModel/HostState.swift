import XenplanBasics

/// Everything observed on one host in one batched pass. Plain Codable data: the sim
/// keeps it as a file, the agent sends it over the wire, the planner reads it.
public struct HostState: Hashable, Codable, Sendable {
    public var name: String
    /// e.g. `4.17.7`.
    public var xenVersion: String
    /// Physical memory (`xc_physinfo` total_pages).
    public var totalMemory: ByteSize
    /// Memory the hypervisor has not given to any domain (`xc_physinfo` free_pages).
    public var freeMemory: ByteSize
    /// Physical CPUs.
    public var cpus: Int
    /// Domain-0's current memory (dom0 is also in `domains` with domid 0).
    public var dom0Memory: ByteSize
    /// Every domain Xen knows, dom0 included, transient ones included.
    public var domains: [DomainState]
    /// Domain configurations xenplan owns (`/etc/xen/xenplan/<name>.cfg`), running or not.
    public var configs: [DomainConfig]
    public var volumes: [VolumeState]
    public var bridges: [BridgeState]
    /// The declared image files present on the host (a declared path not listed is absent).
    public var images: [ImageState]
    /// Domains whose seed file (`CloudInitSeed.path(domain:)`) exists, in name order.
    public var seeds: [String]
    /// Save files of suspended guests (complete or partial), in path order.
    public var saves: [SaveState]
    /// Complete backups found in the backup pools the host reaches, by directory, domain, id.
    public var backups: [BackupRecord]
    /// Whether bridges survive a reboot, and xenplan's ifupdown files; nil: the host does
    /// not say (a driver that does not model them), and nothing is planned about them.
    public var persistence: BridgePersistence?

    public init(
        name: String, xenVersion: String, totalMemory: ByteSize, freeMemory: ByteSize, cpus: Int,
        dom0Memory: ByteSize, domains: [DomainState] = [], configs: [DomainConfig] = [],
        volumes: [VolumeState] = [], bridges: [BridgeState] = [], images: [ImageState] = [], seeds: [String] = [],
        saves: [SaveState] = [], backups: [BackupRecord] = [], persistence: BridgePersistence? = nil
    ) {
        self.name = name
        self.xenVersion = xenVersion
        self.totalMemory = totalMemory
        self.freeMemory = freeMemory
        self.cpus = cpus
        self.dom0Memory = dom0Memory
        self.domains = domains
        self.configs = configs
        self.volumes = volumes
        self.bridges = bridges
        self.images = images
        self.seeds = seeds
        self.saves = saves
        self.backups = backups
        self.persistence = persistence
    }

    private enum CodingKeys: String, CodingKey {
        case name, xenVersion, totalMemory, freeMemory, cpus, dom0Memory, domains, configs, volumes, bridges, images, seeds, saves, backups
        case persistence
    }

    /// Files written before images, seeds, saves and backups existed read as having none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        xenVersion = try c.decode(String.self, forKey: .xenVersion)
        totalMemory = try c.decode(ByteSize.self, forKey: .totalMemory)
        freeMemory = try c.decode(ByteSize.self, forKey: .freeMemory)
        cpus = try c.decode(Int.self, forKey: .cpus)
        dom0Memory = try c.decode(ByteSize.self, forKey: .dom0Memory)
        domains = try c.decode([DomainState].self, forKey: .domains)
        configs = try c.decode([DomainConfig].self, forKey: .configs)
        volumes = try c.decode([VolumeState].self, forKey: .volumes)
        bridges = try c.decode([BridgeState].self, forKey: .bridges)
        images = try c.decodeIfPresent([ImageState].self, forKey: .images) ?? []
        seeds = try c.decodeIfPresent([String].self, forKey: .seeds) ?? []
        saves = try c.decodeIfPresent([SaveState].self, forKey: .saves) ?? []
        backups = try c.decodeIfPresent([BackupRecord].self, forKey: .backups) ?? []
        persistence = try c.decodeIfPresent(BridgePersistence.self, forKey: .persistence)
    }

    /// Guest domains (not dom0), including transient ones.
    public var guests: [DomainState] { domains.filter { $0.domid != 0 } }
    public func domain(named name: String) -> DomainState? { domains.first { $0.name == name && $0.domid != 0 } }
    public func config(named name: String) -> DomainConfig? { configs.first { $0.name == name } }
    public func volume(container: String, name: String) -> VolumeState? {
        volumes.first { $0.container == container && $0.name == name }
    }
    public func bridge(named name: String) -> BridgeState? { bridges.first { $0.name == name } }
    public func image(at path: String) -> ImageState? { images.first { $0.path == path } }
    /// The complete save file of `domain`, if the host has one.
    public func save(of domain: String) -> SaveState? { saves.first { $0.domain == domain && !$0.partial } }
}

/// A logical volume (LVM pool) or raw image file (`dir` pool).
public struct VolumeState: Hashable, Codable, Sendable {
    /// The volume group, or the directory of a `dir` pool.
    public var container: String
    public var name: String
    public var size: ByteSize
    /// Created by xenplan (the LVM tag `xenplan`; for a `dir` pool, the image file's
    /// `user.xenplan` attribute). Only such volumes can be orphans: a volume someone made
    /// by hand in the same volume group is none of xenplan's business.
    public var owned: Bool

    public init(container: String, name: String, size: ByteSize, owned: Bool = false) {
        self.container = container
        self.name = name
        self.size = size
        self.owned = owned
    }

    private enum CodingKeys: String, CodingKey { case container, name, size, owned }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        container = try c.decode(String.self, forKey: .container)
        name = try c.decode(String.self, forKey: .name)
        size = try c.decode(ByteSize.self, forKey: .size)
        owned = try c.decodeIfPresent(Bool.self, forKey: .owned) ?? false
    }
}

public struct BridgeState: Hashable, Codable, Sendable {
    public var name: String
    public var interfaces: [String]
    /// The members that are VLAN interfaces, with the interface and id of each.
    public var vlans: [VlanPort]
    public init(name: String, interfaces: [String], vlans: [VlanPort] = []) {
        self.name = name
        self.interfaces = interfaces
        self.vlans = vlans
    }

    private enum CodingKeys: String, CodingKey { case name, interfaces, vlans }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        interfaces = try c.decode([String].self, forKey: .interfaces)
        vlans = try c.decodeIfPresent([VlanPort].self, forKey: .vlans) ?? []
    }

    /// How the bridge's members differ from a declared port (`eth0`, `eth0.10`, none);
    /// nil when they match. Only a declared port is looked for: other members (added by
    /// hand) are left alone, as the bridge itself is.
    public func portMismatch(_ declared: BridgeFile) -> String? {
        guard let port = declared.port else { return nil }
        guard interfaces.contains(port) else {
            let has = interfaces.isEmpty ? "no port" : "ports " + interfaces.joined(separator: ", ")
            return "bridge \(name) has \(has), declared \(port)"
        }
        guard let vlan = declared.vlan, let interface = declared.interface else { return nil }
        guard let seen = vlans.first(where: { $0.name == port }) else {
            return "bridge \(name)'s port \(port) is not a VLAN interface, declared VLAN \(vlan) on \(interface)"
        }
        if seen.id != vlan || seen.parent != interface {
            return "bridge \(name)'s port \(port) is VLAN \(seen.id) on \(seen.parent), declared VLAN \(vlan) on \(interface)"
        }
        return nil
    }
}

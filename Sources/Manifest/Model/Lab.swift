import XenplanBasics

/// The desired state of a whole lab: every manifest file of a directory merged, with
/// defaults applied. Collections are kept sorted by name so that everything derived
/// from a `Lab` is deterministic.
public struct Lab: Hashable, Sendable {
    /// The highest manifest format this build understands.
    public static let supportedFormat = 1

    public var name: String?
    public var format: Int
    public var pools: [PoolSpec]
    public var hosts: [HostSpec]
    public var groups: [GroupSpec]
    public var domains: [DomainSpec]
    /// Disk images new volumes can be filled from.
    public var images: [ImageSpec]
    /// Lab-wide ssh keys every seeded guest accepts (already merged into each domain's
    /// `identity.sshKeys`).
    public var sshKeys: [String]
    /// The files that were read, in name order.
    public var files: [String]
    /// A hash of the manifests' content (hex), recorded in the configuration files
    /// xenplan writes so that a host says which manifests created its domains.
    public var contentHash: String
    /// The lab-wide backup policy (`backups:` at the top level); each domain's resolved
    /// policy is `DomainSpec.backups`.
    public var backups: BackupPolicy?

    public init(
        name: String? = nil, format: Int = 1, pools: [PoolSpec] = [], hosts: [HostSpec] = [],
        groups: [GroupSpec] = [], domains: [DomainSpec] = [], images: [ImageSpec] = [], sshKeys: [String] = [],
        files: [String] = [], contentHash: String = "", backups: BackupPolicy? = nil
    ) {
        self.name = name
        self.format = format
        self.pools = pools.sorted { $0.name < $1.name }
        self.hosts = hosts.sorted { $0.name < $1.name }
        self.groups = groups.sorted { $0.name < $1.name }
        self.domains = domains.sorted { $0.name < $1.name }
        self.images = images.sorted { $0.name < $1.name }
        self.sshKeys = sshKeys
        self.files = files
        self.contentHash = contentHash
        self.backups = backups
    }

    public func host(_ name: String) -> HostSpec? { hosts.first { $0.name == name } }
    public func pool(_ name: String) -> PoolSpec? { pools.first { $0.name == name } }
    public func group(_ name: String) -> GroupSpec? { groups.first { $0.name == name } }
    public func domain(_ name: String) -> DomainSpec? { domains.first { $0.name == name } }
    public func image(_ name: String) -> ImageSpec? { images.first { $0.name == name } }

    /// Pools a host can reach, in name order.
    public func pools(reachableFrom host: String) -> [PoolSpec] {
        pools.filter { $0.hosts.contains(host) }
    }
}

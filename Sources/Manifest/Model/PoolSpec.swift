import XenplanBasics

/// A storage pool: an LVM volume group, or a directory of raw image files.
public struct PoolSpec: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case lvm(volumeGroup: String)
        case dir(path: String)
    }

    public var name: String
    public var kind: Kind
    /// Hosts that reach the pool.
    public var hosts: [String]
    /// Several hosts see the same volumes (SAN, NFS): a domain on it can live-migrate.
    public var shared: Bool
    public var locations: KeyLocations

    public init(name: String, kind: Kind, hosts: [String], shared: Bool = false, locations: KeyLocations = KeyLocations()) {
        self.name = name
        self.kind = kind
        self.hosts = hosts
        self.shared = shared
        self.locations = locations
    }

    /// A `dir` pool: its volumes are image files.
    public var isDirectory: Bool { kind.isDirectory }

    /// The name observation uses for this pool's container: the volume group, or the directory.
    public var container: String {
        switch kind {
        case let .lvm(vg): return vg
        case let .dir(path): return path
        }
    }

    /// The block device or file a volume of this pool is reached by, as written in xl.cfg.
    public func devicePath(volume: String) -> String {
        switch kind {
        case let .lvm(vg): return "/dev/\(vg)/\(volume)"
        case let .dir(path): return (path.hasSuffix("/") ? path : path + "/") + volume + ".img"
        }
    }
}

extension PoolSpec.Kind {
    public var isDirectory: Bool { if case .dir = self { true } else { false } }
}

import XenplanBasics

/// A value as written in a manifest, with where it was written.
struct Declared<Value> {
    var value: Value
    var location: SourceLocation
}

extension Declared: Sendable where Value: Sendable {}

/// A domain (or the `defaults` block) as written: every key optional, so that defaults
/// can be applied after all files are merged.
struct DeclaredDomain {
    var name: String
    /// The domain's name key (the `defaults` key for defaults).
    var location: SourceLocation
    var host: Declared<String>?
    var group: Declared<String>?
    var memory: Declared<ByteSize>?
    var maxmem: Declared<ByteSize>?
    var vcpus: Declared<Int>?
    var maxvcpus: Declared<Int>?
    var cpuWeight: Declared<Int>?
    var cpuCap: Declared<Int>?
    var type: Declared<GuestType>?
    var boot: Declared<BootSpec>?
    var firmware: Declared<HvmSpec.Firmware>?
    var bootOrder: Declared<[HvmSpec.BootDevice]>?
    var cdrom: DeclaredCdrom?
    /// nil inside: `vnc: false`.
    var vnc: Declared<HvmSpec.Vnc?>?
    var serial: Declared<HvmSpec.Serial>?
    var viridian: Declared<Bool>?
    var disks: [DeclaredDisk]?
    var network: Declared<[DeclaredNic]>?
    var restart: Declared<RestartPolicy>?
    var protect: Declared<Bool>?
    var state: Declared<DesiredRunState>?
    /// `saves: POOL`: the dir pool of its save file.
    var saves: Declared<String>?
    var shutdownTimeout: Declared<Int>?
    var hostname: Declared<String>?
    var sshKeys: Declared<[String]>?
    var passwordHash: Declared<String>?
    var seed: Declared<Bool>?
    var identityChanges: Declared<IdentitySpec.Changes>?
    /// `backups:` on the domain.
    var backups: DeclaredBackups?
    /// Where each key written on the object was written (nested keys dotted: `cpu.cap`).
    var keys: [String: SourceLocation] = [:]

    init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

struct DeclaredDisk {
    var name: Declared<String>?
    var size: Declared<ByteSize>?
    var vdev: Declared<String>?
    var pool: Declared<String>?
    var path: Declared<String>?
    var readOnly = false
    /// `source: {image: NAME}`.
    var image: Declared<String>?
    /// The list item.
    var location: SourceLocation
}

/// `cdrom:` as written: one of image and path.
struct DeclaredCdrom {
    var image: Declared<String>?
    var path: Declared<String>?
    /// The mapping.
    var location: SourceLocation
}

struct DeclaredNic {
    var bridge: Declared<String>?
    var ip: Declared<String>?
    /// Lower case.
    var mac: Declared<String>?
    /// Written as `prefix`, or as `netmask` and converted.
    var prefix: Declared<Int>?
    var gateway: Declared<String>?
    var dns: Declared<[String]>?
    var rate: Declared<String>?
    var vifname: Declared<String>?
    /// The first-boot keys written (`prefix`, `netmask`, `gateway`, `dns`), in this order.
    var firstBootKeys: [String] = []
    var location: SourceLocation
}

/// An image as written; its path and hosts are resolved once pools and hosts are known.
struct DeclaredImage {
    var name: String
    var path: Declared<String>?
    /// `path` does not start with `/`: it is relative to the directory of `pool`.
    var pathIsRelative = false
    var format: ImageSpec.Format = .raw
    var sha256: String?
    var hosts: [Declared<String>]?
    var pool: Declared<String>?
    var locations: KeyLocations
}

/// Everything one file declares.
struct ManifestFile {
    var path: String
    var lab: Declared<String>?
    var format: Declared<Int>?
    /// The file says a format newer than this build reads; nothing else was decoded.
    var hasUnsupportedFormat = false
    var defaults: DeclaredDomain?
    var pools: [PoolSpec] = []
    /// Where each entry of a pool's `hosts` list was written, by pool name.
    var poolHostLocations: [String: [SourceLocation]] = [:]
    var hosts: [HostSpec] = []
    var groups: [GroupSpec] = []
    var domains: [DeclaredDomain] = []
    var images: [DeclaredImage] = []
    /// Lab-wide ssh keys, in written order.
    var sshKeys: Declared<[String]>?
    /// The top-level `backups:` policy.
    var backups: DeclaredBackups?
}

import XenplanBasics

public enum GuestType: String, Hashable, Sendable, CaseIterable, Codable {
    case pv, pvh, hvm
}

/// How a pv or pvh guest finds its kernel; an hvm guest boots from its firmware (`HvmSpec`).
public enum BootSpec: Hashable, Sendable, Codable {
    case pygrub
    /// GRUB built for Xen (Debian's grub-xen-host), reading the guest's own grub.cfg.
    case pvgrub
    case kernel(kernel: String, ramdisk: String?, cmdline: String?)
}

public enum RestartPolicy: String, Hashable, Sendable, CaseIterable {
    /// Changes that need a reboot are listed as pending, never applied.
    case never
    /// xenplan may shut the domain down and start it again to apply such changes.
    case allowed
}

public enum DesiredRunState: String, Hashable, Sendable, CaseIterable {
    /// `suspended`: the guest's memory is kept in a save file (`xl save`), its memory and
    /// vCPUs free; `running` again restores it from there.
    case running, stopped, suspended
}

public struct DiskSpec: Hashable, Sendable {
    public var name: String
    /// Size of the volume xenplan manages; nil for an existing device (`path`).
    public var size: ByteSize?
    public var vdev: String
    /// The pool holding the volume; resolved to the host's first pool when omitted.
    public var pool: String?
    /// An existing device xenplan uses but never creates, resizes or removes.
    public var path: String?
    public var readOnly: Bool
    /// `source: {image: NAME}`: the image a new volume is filled from (never an existing one).
    public var image: String?
    public var location: SourceLocation?

    public init(
        name: String, size: ByteSize?, vdev: String, pool: String? = nil, path: String? = nil,
        readOnly: Bool = false, image: String? = nil, location: SourceLocation? = nil
    ) {
        self.name = name
        self.size = size
        self.vdev = vdev
        self.pool = pool
        self.path = path
        self.readOnly = readOnly
        self.image = image
        self.location = location
    }

    /// The volume name in its pool: `<domain>-<disk>`.
    public func volumeName(domain: String) -> String { "\(domain)-\(name)" }
}

public struct NicSpec: Hashable, Sendable {
    public var bridge: String
    public var ip: String?
    /// Lower-case, colon-separated; nil lets Xen pick one.
    public var mac: String?
    /// Prefix length of `ip` (written `prefix: 24` or `netmask: 255.255.255.0`); first boot only.
    public var prefix: Int?
    /// Default route through this interface; first boot only.
    public var gateway: String?
    /// Name servers; first boot only.
    public var dns: [String]
    /// Outgoing traffic limit in xl's syntax (`10Mb/s`); nil: unlimited.
    public var rate: String?
    /// The interface's name in dom0; nil: Xen's `vifD.N`.
    public var vifname: String?
    public var location: SourceLocation?

    /// The prefix length a seed gives `ip` when neither `prefix` nor `netmask` is written.
    public static let defaultPrefix = 24

    public init(
        bridge: String, ip: String? = nil, mac: String? = nil, prefix: Int? = nil, gateway: String? = nil,
        dns: [String] = [], rate: String? = nil, vifname: String? = nil, location: SourceLocation? = nil
    ) {
        self.rate = rate
        self.vifname = vifname
        self.bridge = bridge
        self.ip = ip
        self.mac = mac
        self.prefix = prefix
        self.gateway = gateway
        self.dns = dns
        self.location = location
    }
}

/// One guest domain as declared, with defaults already applied.
public struct DomainSpec: Hashable, Sendable {
    public var name: String
    /// nil: the planner places it.
    public var host: String?
    public var group: String?
    /// Balloon target.
    public var memory: ByteSize
    /// Static maximum; live growth up to here. Equals `memory` when not written.
    public var maxmem: ByteSize
    public var vcpus: Int
    /// Equals `vcpus` when not written.
    public var maxvcpus: Int
    /// Credit scheduler weight (1–65535, Xen's default 256) and cap (% of one CPU, 0 = none).
    public var cpuWeight: Int
    public var cpuCap: Int
    public var type: GuestType
    /// How a pv or pvh guest boots; not used for an hvm guest.
    public var boot: BootSpec
    /// Firmware and emulated devices: set exactly when `type` is hvm.
    public var hvm: HvmSpec?
    public var disks: [DiskSpec]
    public var network: [NicSpec]
    public var restart: RestartPolicy
    public var protect: Bool
    public var state: DesiredRunState
    /// The `dir` pool holding the save file while suspended (`saves:`); nil: the host's
    /// `SaveState.defaultDirectory`.
    public var savePool: String?
    /// Seconds a graceful shutdown may take before `xl destroy`.
    public var shutdownTimeout: Int
    /// First-boot identity (cloud-init seed).
    public var identity: IdentitySpec
    /// The backup policy that applies, the lab-wide one merged with the domain's own keys;
    /// nil when none applies or the domain says `backups: none` (no safety net either).
    public var backups: BackupPolicy?
    public var locations: KeyLocations

    public static let defaultCpuWeight = 256
    public static let defaultShutdownTimeout = 120

    public init(
        name: String, host: String? = nil, group: String? = nil, memory: ByteSize = .mib(256),
        maxmem: ByteSize? = nil, vcpus: Int = 1, maxvcpus: Int? = nil,
        cpuWeight: Int = DomainSpec.defaultCpuWeight, cpuCap: Int = 0, type: GuestType = .pv,
        boot: BootSpec = .pygrub, hvm: HvmSpec? = nil, disks: [DiskSpec] = [], network: [NicSpec] = [],
        restart: RestartPolicy = .never, protect: Bool = false, state: DesiredRunState = .running,
        shutdownTimeout: Int = DomainSpec.defaultShutdownTimeout, identity: IdentitySpec? = nil,
        locations: KeyLocations = KeyLocations(), savePool: String? = nil, backups: BackupPolicy? = nil
    ) {
        self.name = name
        self.host = host
        self.group = group
        self.memory = memory
        self.maxmem = maxmem ?? memory
        self.vcpus = vcpus
        self.maxvcpus = maxvcpus ?? vcpus
        self.cpuWeight = cpuWeight
        self.cpuCap = cpuCap
        self.type = type
        self.boot = boot
        self.hvm = hvm ?? (type == .hvm ? HvmSpec() : nil)
        self.disks = disks
        self.network = network
        self.restart = restart
        self.protect = protect
        self.state = state
        self.savePool = savePool
        self.shutdownTimeout = shutdownTimeout
        self.identity = identity ?? IdentitySpec(seed: disks.contains { $0.image != nil }, hostname: name)
        self.locations = locations
        self.backups = backups
    }
}

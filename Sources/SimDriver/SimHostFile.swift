import FoundationEssentials
import HostModel
import XenplanBasics

/// The content of a simulated host's file (`<state>/<host>.sim.json` for the committed
/// starting point, `<host>.live.json` for the working copy). Public so that seed files
/// can be built from Swift code; encoded with sorted keys and indentation because the
/// seeds are committed and reviewed.
public struct SimHostFile: Hashable, Codable, Sendable {
    public struct Machine: Hashable, Codable, Sendable {
        public var memory: ByteSize
        public var cpus: Int
        public var xenVersion: String
        public init(memory: ByteSize, cpus: Int, xenVersion: String) {
            self.memory = memory
            self.cpus = cpus
            self.xenVersion = xenVersion
        }
    }

    public struct Dom0: Hashable, Codable, Sendable {
        public var memory: ByteSize
        public var vcpus: Int
        public init(memory: ByteSize, vcpus: Int) {
            self.memory = memory
            self.vcpus = vcpus
        }
    }

    /// A guest as the hypervisor holds it, plus the sim's knobs for how the guest behaves.
    public struct Domain: Hashable, Codable, Sendable {
        /// The name without a transient suffix.
        public var name: String
        public var domid: Int
        public var uuid: String
        public var state: RunState
        public var transient: TransientRole?
        public var type: String
        public var memoryTarget: ByteSize
        public var memoryStaticMax: ByteSize
        /// Pages held at `balloonStartedAt` (or now, when not ballooning).
        public var memoryActual: ByteSize
        /// When the balloon driver started releasing pages towards a lower target
        /// (seconds since 1970); nil when `memoryActual` is final.
        public var balloonStartedAt: Double?
        public var vcpusOnline: Int
        public var maxVcpus: Int
        public var cpuWeight: Int
        public var cpuCap: Int
        public var disks: [DiskState]
        public var nics: [NicState]
        /// A guest without a balloon driver never gives memory back after `mem-set` down.
        public var balloonDriver: Bool
        /// A guest that ignores `xl shutdown` (hung, or no PV shutdown support).
        public var ignoresShutdown: Bool

        public init(
            name: String, domid: Int, uuid: String, state: RunState = .running,
            transient: TransientRole? = nil, type: String = "pv", memoryTarget: ByteSize,
            memoryStaticMax: ByteSize, memoryActual: ByteSize? = nil, balloonStartedAt: Double? = nil,
            vcpusOnline: Int, maxVcpus: Int, cpuWeight: Int = 256, cpuCap: Int = 0,
            disks: [DiskState] = [], nics: [NicState] = [], balloonDriver: Bool = true,
            ignoresShutdown: Bool = false
        ) {
            self.name = name
            self.domid = domid
            self.uuid = uuid
            self.state = state
            self.transient = transient
            self.type = type
            self.memoryTarget = memoryTarget
            self.memoryStaticMax = memoryStaticMax
            self.memoryActual = memoryActual ?? memoryTarget
            self.balloonStartedAt = balloonStartedAt
            self.vcpusOnline = vcpusOnline
            self.maxVcpus = maxVcpus
            self.cpuWeight = cpuWeight
            self.cpuCap = cpuCap
            self.disks = disks
            self.nics = nics
            self.balloonDriver = balloonDriver
            self.ignoresShutdown = ignoresShutdown
        }

        /// The name `xl list` shows: with `--incoming` / `--migratedaway` while migrating.
        public var xlName: String {
            switch transient {
            case nil: return name
            case .incoming: return name + "--incoming"
            case .migratedAway: return name + "--migratedaway"
            }
        }

        private enum CodingKeys: String, CodingKey {
            case name, domid, uuid, state, transient, type, memoryTarget, memoryStaticMax, memoryActual
            case balloonStartedAt, vcpusOnline, maxVcpus, cpuWeight, cpuCap, disks, nics, balloonDriver
            case ignoresShutdown
        }

        /// Lenient about the knobs and defaults so that hand-written seeds stay short.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            domid = try c.decode(Int.self, forKey: .domid)
            uuid = try c.decode(String.self, forKey: .uuid)
            state = try c.decodeIfPresent(RunState.self, forKey: .state) ?? .running
            transient = try c.decodeIfPresent(TransientRole.self, forKey: .transient)
            type = try c.decodeIfPresent(String.self, forKey: .type) ?? "pv"
            memoryTarget = try c.decode(ByteSize.self, forKey: .memoryTarget)
            memoryStaticMax = try c.decodeIfPresent(ByteSize.self, forKey: .memoryStaticMax) ?? memoryTarget
            memoryActual = try c.decodeIfPresent(ByteSize.self, forKey: .memoryActual) ?? memoryTarget
            balloonStartedAt = try c.decodeIfPresent(Double.self, forKey: .balloonStartedAt)
            vcpusOnline = try c.decodeIfPresent(Int.self, forKey: .vcpusOnline) ?? 1
            maxVcpus = try c.decodeIfPresent(Int.self, forKey: .maxVcpus) ?? vcpusOnline
            cpuWeight = try c.decodeIfPresent(Int.self, forKey: .cpuWeight) ?? 256
            cpuCap = try c.decodeIfPresent(Int.self, forKey: .cpuCap) ?? 0
            disks = try c.decodeIfPresent([DiskState].self, forKey: .disks) ?? []
            nics = try c.decodeIfPresent([NicState].self, forKey: .nics) ?? []
            balloonDriver = try c.decodeIfPresent(Bool.self, forKey: .balloonDriver) ?? true
            ignoresShutdown = try c.decodeIfPresent(Bool.self, forKey: .ignoresShutdown) ?? false
        }
    }

    public enum ContainerType: String, Hashable, Codable, Sendable {
        /// An LVM volume group: volumes are `/dev/<vg>/<name>`, sizes in 4 MiB extents.
        case lvm
        /// A directory of raw image files: volumes are `<path>/<name>`.
        case dir
    }

    /// A volume group or an image directory, with its capacity so that `lvcreate` can fail.
    public struct Container: Hashable, Codable, Sendable {
        public var type: ContainerType
        public var capacity: ByteSize
        /// Seen by other hosts too (SAN, NFS): volume changes reach every host whose file
        /// holds a shared container of the same name, as a shared VG does.
        public var shared: Bool
        /// Volume name → size.
        public var volumes: [String: ByteSize]
        /// Volumes xenplan created (sorted): the LVM tag `xenplan` of a real host.
        public var owned: [String]
        /// Volume name → SHA-256 of what it holds, for volumes filled (from an image or a
        /// backup) or written (`SimHostFile+Contents`); any other holds `initialContent`.
        public var contents: [String: String]
        /// Complete backups kept in this `dir` pool (`<path>/xenplan-backups/<domain>/<id>`),
        /// by domain and id.
        public var backups: [BackupRecord]

        public init(
            type: ContainerType, capacity: ByteSize, shared: Bool = false, volumes: [String: ByteSize] = [:],
            owned: [String] = [], contents: [String: String] = [:], backups: [BackupRecord] = []
        ) {
            self.type = type
            self.capacity = capacity
            self.shared = shared
            self.volumes = volumes
            self.owned = owned.sorted()
            self.contents = contents
            self.backups = backups
        }

        private enum CodingKeys: String, CodingKey { case type, capacity, shared, volumes, owned, contents, backups }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decode(ContainerType.self, forKey: .type)
            capacity = try c.decode(ByteSize.self, forKey: .capacity)
            shared = try c.decodeIfPresent(Bool.self, forKey: .shared) ?? false
            volumes = try c.decodeIfPresent([String: ByteSize].self, forKey: .volumes) ?? [:]
            owned = try c.decodeIfPresent([String].self, forKey: .owned) ?? []
            contents = try c.decodeIfPresent([String: String].self, forKey: .contents) ?? [:]
            backups = try c.decodeIfPresent([BackupRecord].self, forKey: .backups) ?? []
        }

        /// Contents and backups are left out while empty: a container that never had them
        /// is written as before they were modelled.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type)
            try c.encode(capacity, forKey: .capacity)
            try c.encode(shared, forKey: .shared)
            try c.encode(volumes, forKey: .volumes)
            try c.encode(owned, forKey: .owned)
            if !contents.isEmpty { try c.encode(contents, forKey: .contents) }
            if !backups.isEmpty { try c.encode(backups, forKey: .backups) }
        }

        mutating func setOwned(_ volume: String, _ isOwned: Bool) {
            owned.removeAll { $0 == volume }
            if isOwned { owned.append(volume); owned.sort() }
        }

        /// What the volumes and the backups' copies take.
        public var used: ByteSize {
            volumes.values.reduce(.zero, +) + backups.flatMap(\.disks).map(\.storedSize).reduce(.zero, +)
        }
    }

    /// A pending injected failure: the next `remaining` operations of its kind fail.
    public struct Failure: Hashable, Codable, Sendable {
        public var remaining: Int
        public var message: String?
        public init(remaining: Int, message: String? = nil) {
            self.remaining = remaining
            self.message = message
        }
    }

    /// Bumped when the layout changes incompatibly.
    public var format: Int
    public var machine: Machine
    public var dom0: Dom0
    public var domains: [Domain]
    public var nextDomid: Int
    /// `/etc/xen/xenplan/*.cfg`: what makes a domain managed.
    public var configs: [DomainConfig]
    /// Volume groups (by VG name) and image directories (by path).
    public var storage: [String: Container]
    /// Bridge name → member interfaces.
    public var bridges: [String: [String]]
    /// VLAN interfaces by name (members of bridges above).
    public var vlans: [String: VlanPort]
    /// ifupdown and xenplan's bridge files; nil: not modelled (a file written before it was).
    public var network: Network?
    /// Disk image files by absolute path (`SimHostFile+Images`).
    public var images: [String: Image]
    /// Domain → the instance id in its cloud-init seed file (`CloudInitSeed.path(domain:)`).
    public var seeds: [String: String]
    /// Save files (`xl save`), in `SaveState.defaultDirectory` or a `dir` pool's
    /// directory, in path order.
    public var saves: [SaveState]
    /// Writes into volumes so far (`sim xl write`): each gets a digest no earlier one had.
    public var contentGeneration: Int
    /// Seconds per operation kind (`HostOperation.kind`), scaled by the driver's speed.
    public var latencies: [String: Double]
    /// Operation kind → pending injected failure.
    public var failures: [String: Failure]
    /// How fast a balloon driver gives memory back, per second of the clock.
    public var balloonRatePerSecond: ByteSize

    public static let defaultBalloonRate = ByteSize.mib(256)

    public init(
        machine: Machine, dom0: Dom0, domains: [Domain] = [], nextDomid: Int? = nil,
        configs: [DomainConfig] = [], storage: [String: Container] = [:], bridges: [String: [String]] = [:],
        images: [String: Image] = [:], seeds: [String: String] = [:], saves: [SaveState] = [],
        latencies: [String: Double] = [:], failures: [String: Failure] = [:],
        balloonRatePerSecond: ByteSize = SimHostFile.defaultBalloonRate
    ) {
        self.format = 1
        self.machine = machine
        self.dom0 = dom0
        self.domains = domains
        self.nextDomid = nextDomid ?? ((domains.map(\.domid).max() ?? 0) + 1)
        self.configs = configs
        self.storage = storage
        self.bridges = bridges
        self.vlans = [:]
        self.network = nil
        self.images = images
        self.seeds = seeds
        self.saves = saves.sorted { $0.path < $1.path }
        self.contentGeneration = 0
        self.latencies = latencies
        self.failures = failures
        self.balloonRatePerSecond = balloonRatePerSecond
    }

    /// An empty host: only Domain-0.
    public init(machine: SimMachine) {
        self.init(
            machine: Machine(memory: machine.memory, cpus: machine.cpus, xenVersion: machine.xenVersion),
            dom0: Dom0(memory: machine.dom0Memory, vcpus: machine.dom0Vcpus))
        network = Network()
    }

    private enum CodingKeys: String, CodingKey {
        case format, machine, dom0, domains, nextDomid, configs, storage, bridges, images, seeds, latencies, failures
        case balloonRatePerSecond, saves, contentGeneration, vlans, network
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decodeIfPresent(Int.self, forKey: .format) ?? 1
        machine = try c.decode(Machine.self, forKey: .machine)
        dom0 = try c.decode(Dom0.self, forKey: .dom0)
        domains = try c.decodeIfPresent([Domain].self, forKey: .domains) ?? []
        nextDomid = try c.decodeIfPresent(Int.self, forKey: .nextDomid) ?? ((domains.map(\.domid).max() ?? 0) + 1)
        configs = try c.decodeIfPresent([DomainConfig].self, forKey: .configs) ?? []
        storage = try c.decodeIfPresent([String: Container].self, forKey: .storage) ?? [:]
        bridges = try c.decodeIfPresent([String: [String]].self, forKey: .bridges) ?? [:]
        vlans = try c.decodeIfPresent([String: VlanPort].self, forKey: .vlans) ?? [:]
        network = try c.decodeIfPresent(Network.self, forKey: .network)
        images = try c.decodeIfPresent([String: Image].self, forKey: .images) ?? [:]
        seeds = try c.decodeIfPresent([String: String].self, forKey: .seeds) ?? [:]
        saves = try c.decodeIfPresent([SaveState].self, forKey: .saves) ?? []
        contentGeneration = try c.decodeIfPresent(Int.self, forKey: .contentGeneration) ?? 0
        latencies = try c.decodeIfPresent([String: Double].self, forKey: .latencies) ?? [:]
        failures = try c.decodeIfPresent([String: Failure].self, forKey: .failures) ?? [:]
        balloonRatePerSecond =
            try c.decodeIfPresent(ByteSize.self, forKey: .balloonRatePerSecond)
            ?? SimHostFile.defaultBalloonRate
    }

    /// Empty image, seed and save tables (and a zero content generation) are left out: a
    /// host without them keeps the file it had before they were modelled, byte for byte.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(machine, forKey: .machine)
        try c.encode(dom0, forKey: .dom0)
        try c.encode(domains, forKey: .domains)
        try c.encode(nextDomid, forKey: .nextDomid)
        try c.encode(configs, forKey: .configs)
        try c.encode(storage, forKey: .storage)
        try c.encode(bridges, forKey: .bridges)
        if !images.isEmpty { try c.encode(images, forKey: .images) }
        if !seeds.isEmpty { try c.encode(seeds, forKey: .seeds) }
        if !saves.isEmpty { try c.encode(saves, forKey: .saves) }
        if contentGeneration != 0 { try c.encode(contentGeneration, forKey: .contentGeneration) }
        if !vlans.isEmpty { try c.encode(vlans, forKey: .vlans) }
        try c.encodeIfPresent(network, forKey: .network)
        try c.encode(latencies, forKey: .latencies)
        try c.encode(failures, forKey: .failures)
        try c.encode(balloonRatePerSecond, forKey: .balloonRatePerSecond)
    }

    // MARK: Encoding

    /// Pretty, key-sorted JSON with a final newline: stable diffs for committed seeds.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Decodes and checks a file (`checked`): what every read of a simulated host uses.
    public static func decode(_ data: Data) throws -> SimHostFile {
        try JSONDecoder().decode(SimHostFile.self, from: data).checked()
    }
}

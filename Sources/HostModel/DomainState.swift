import XenplanBasics

/// Xen's view of a domain's run state (from the `XEN_DOMINF_*` flags).
public enum RunState: String, Hashable, Codable, Sendable, CaseIterable {
    case running, blocked, paused, shutdown, crashed, dying

    /// Running or blocked (idle) are both "up" for a reconciler.
    public var isUp: Bool { self == .running || self == .blocked || self == .paused }
}

/// Names libxl gives a domain while `xl migrate` runs.
public enum TransientRole: String, Hashable, Codable, Sendable {
    /// `NAME--incoming` on the receiving host.
    case incoming
    /// `NAME--migratedaway` on the sending host.
    case migratedAway
}

public struct DiskState: Hashable, Codable, Sendable {
    public var vdev: String
    /// The backend's target: `/dev/vg/lv` or an image file.
    public var target: String
    public var readOnly: Bool
    public init(vdev: String, target: String, readOnly: Bool = false) {
        self.vdev = vdev
        self.target = target
        self.readOnly = readOnly
    }
}

public struct NicState: Hashable, Codable, Sendable {
    public var bridge: String
    public var mac: String
    public var ip: String?
    public init(bridge: String, mac: String, ip: String? = nil) {
        self.bridge = bridge
        self.mac = mac
        self.ip = ip
    }
}

/// One domain as the hypervisor and xenstore show it.
public struct DomainState: Hashable, Codable, Sendable {
    /// The name without a transient suffix; `transient` says if one was present.
    public var name: String
    public var domid: Int
    public var uuid: String
    public var state: RunState
    public var transient: TransientRole?
    /// `memory/target`: the balloon request.
    public var memoryTarget: ByteSize
    /// `memory/static-max`: the most the guest can balloon up to without a restart.
    public var memoryStaticMax: ByteSize
    /// Pages the domain holds now (`tot_pages`): lags the target while ballooning.
    public var memoryActual: ByteSize
    public var vcpusOnline: Int
    public var maxVcpus: Int
    public var cpuWeight: Int
    public var cpuCap: Int
    public var type: String
    public var disks: [DiskState]
    public var nics: [NicState]

    public init(
        name: String, domid: Int, uuid: String, state: RunState = .running, transient: TransientRole? = nil,
        memoryTarget: ByteSize, memoryStaticMax: ByteSize, memoryActual: ByteSize, vcpusOnline: Int,
        maxVcpus: Int, cpuWeight: Int = 256, cpuCap: Int = 0, type: String = "pv",
        disks: [DiskState] = [], nics: [NicState] = []
    ) {
        self.name = name
        self.domid = domid
        self.uuid = uuid
        self.state = state
        self.transient = transient
        self.memoryTarget = memoryTarget
        self.memoryStaticMax = memoryStaticMax
        self.memoryActual = memoryActual
        self.vcpusOnline = vcpusOnline
        self.maxVcpus = maxVcpus
        self.cpuWeight = cpuWeight
        self.cpuCap = cpuCap
        self.type = type
        self.disks = disks
        self.nics = nics
    }
}
